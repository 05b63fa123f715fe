using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PcsOrchestrator.Aws.Pcs;

namespace PcsOrchestrator.Local.Pcs;

/// <summary>
/// The emulated service: resources, their lifecycle on a TimeProvider, UpdateCluster's documented rules (model
/// validation, conflicts, client-token idempotency, replace semantics of custom-settings lists, UPDATE_FAILED
/// leaving the configuration as it was). Thread-safe: one lock guards all state.
/// </summary>
internal sealed partial class PcsService(PcsEmulatorOptions options)
{
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, ClusterRecord> _clusters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string RequestHash, string Response)> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Code, string Message)> _failNextUpdate = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _appliedUpdates = new(StringComparer.Ordinal);
    private int _sequence;

    private DateTimeOffset Now => options.Time.GetUtcNow();

    [GeneratedRegex("^(pcs_[a-zA-Z0-9]+|[A-Za-z][A-Za-z0-9-]{2,40})$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9-]{2,40}$")]
    private static partial Regex NamePattern();

    public string Handle(string operation, string body) => operation switch
    {
        "CreateCluster" => CreateCluster(Read(body, PcsJsonContext.Default.CreateClusterRequest)),
        "GetCluster" => Write(new ClusterResponse { Cluster = Snapshot(FindRecord(Read(body, PcsJsonContext.Default.GetClusterRequest).ClusterIdentifier)) }, PcsJsonContext.Default.ClusterResponse),
        "ListClusters" => ListClusters(Read(body, PcsJsonContext.Default.ListRequest)),
        "UpdateCluster" => UpdateCluster(Read(body, PcsJsonContext.Default.UpdateClusterRequest), body),
        "DeleteCluster" => DeleteCluster(Read(body, PcsJsonContext.Default.DeleteClusterRequest)),
        "CreateQueue" => CreateQueue(Read(body, PcsJsonContext.Default.CreateQueueRequest)),
        "GetQueue" => GetQueue(Read(body, PcsJsonContext.Default.QueueRequest)),
        "ListQueues" => ListQueues(Read(body, PcsJsonContext.Default.ListRequest)),
        "DeleteQueue" => DeleteQueue(Read(body, PcsJsonContext.Default.QueueRequest)),
        "CreateComputeNodeGroup" => CreateNodeGroup(Read(body, PcsJsonContext.Default.CreateComputeNodeGroupRequest)),
        "GetComputeNodeGroup" => GetNodeGroup(Read(body, PcsJsonContext.Default.ComputeNodeGroupRequest)),
        "ListComputeNodeGroups" => ListNodeGroups(Read(body, PcsJsonContext.Default.ListRequest)),
        "DeleteComputeNodeGroup" => DeleteNodeGroup(Read(body, PcsJsonContext.Default.ComputeNodeGroupRequest)),
        _ => throw PcsServiceFault.Validation($"Unknown operation {operation}", "unknownOperation"),
    };

    /// <summary>How many UpdateCluster calls changed the cluster (a replay of a client token does not count).</summary>
    public int AppliedUpdates(string clusterId) => _appliedUpdates.GetValueOrDefault(clusterId);

    public void FailNextUpdate(string clusterIdentifier, string code, string message)
    {
        lock (_gate)
        {
            _failNextUpdate[FindRecord(clusterIdentifier).Cluster.Id] = (code, message);
        }
    }

    /// <summary>Reports <paramref name="status"/> for the resource until <paramref name="duration"/> has passed.</summary>
    public void Hold(string resourceType, string clusterIdentifier, string? childIdentifier, string status, TimeSpan duration)
    {
        lock (_gate)
        {
            var record = FindRecord(clusterIdentifier);
            var until = Now + duration;
            switch (resourceType)
            {
                case "cluster":
                    record.Hold = (status, until);
                    break;
                case "queue":
                    FindQueue(record, childIdentifier ?? string.Empty).Hold = (status, until);
                    break;
                case "computeNodeGroup":
                    FindGroup(record, childIdentifier ?? string.Empty).Hold = (status, until);
                    break;
                default:
                    throw new ArgumentException($"unknown resource type '{resourceType}' (cluster, queue, computeNodeGroup)", nameof(resourceType));
            }
        }
    }

    private string CreateCluster(CreateClusterRequest request)
    {
        lock (_gate)
        {
            if (!NamePattern().IsMatch(request.ClusterName ?? string.Empty))
            {
                throw PcsServiceFault.Validation("1 validation error detected", "fieldValidationFailed", ("clusterName", "must match [A-Za-z][A-Za-z0-9-]{2,40}"));
            }

            if (request.ClientToken is { } token && _tokens.TryGetValue("CreateCluster/" + token, out var earlier))
            {
                return earlier.Response;
            }

            if (_clusters.Values.Any(c => c.Cluster.Name == request.ClusterName))
            {
                throw PcsServiceFault.Conflict($"A cluster named {request.ClusterName} already exists.", request.ClusterName!, "cluster");
            }

            var id = NewId();
            var configuration = request.SlurmConfiguration ?? new ClusterSlurmConfiguration();
            var cluster = new Cluster
            {
                Name = request.ClusterName!,
                Id = id,
                Arn = $"arn:aws:pcs:{options.Region}:{options.Account}:cluster/{id}",
                Status = "CREATING",
                CreatedAt = Now,
                ModifiedAt = Now,
                Scheduler = request.Scheduler,
                Size = request.Size,
                Networking = request.Networking,
                SlurmConfiguration = new ClusterSlurmConfiguration
                {
                    ScaleDownIdleTimeInSeconds = configuration.ScaleDownIdleTimeInSeconds ?? 600,
                    SlurmCustomSettings = configuration.SlurmCustomSettings ?? [],
                    SlurmdbdCustomSettings = configuration.SlurmdbdCustomSettings ?? [],
                    CgroupCustomSettings = configuration.CgroupCustomSettings ?? [],
                    AuthKey = new SecretRef { SecretArn = $"arn:aws:secretsmanager:{options.Region}:{options.Account}:secret:pcs!slurm-secret-{id}", SecretVersion = "1" },
                    Accounting = new Accounting { Mode = configuration.Accounting?.Mode ?? "NONE", DefaultPurgeTimeInDays = configuration.Accounting?.DefaultPurgeTimeInDays ?? -1 },
                    SlurmRest = new SlurmRest { Mode = configuration.SlurmRest?.Mode ?? "NONE" },
                },
                Endpoints = [new Endpoint { Type = "SLURMCTLD", PrivateIpAddress = $"10.0.{_sequence % 250}.{10 + (_sequence % 200)}", Port = "6817" }],
                ErrorInfo = [],
            };
            var record = new ClusterRecord { Cluster = cluster, Order = _sequence };
            record.Pending = new Transition(Now + options.Durations.Create, "ACTIVE");
            _clusters[id] = record;
            var response = Write(new ClusterResponse { Cluster = Copy(cluster) }, PcsJsonContext.Default.ClusterResponse);
            if (request.ClientToken is { } t)
            {
                _tokens["CreateCluster/" + t] = (string.Empty, response);
            }

            return response;
        }
    }

    private string UpdateCluster(UpdateClusterRequest request, string rawBody)
    {
        var fields = new List<(string, string)>();
        if (!IdentifierPattern().IsMatch(request.ClusterIdentifier ?? string.Empty))
        {
            fields.Add(("clusterIdentifier", "Value does not match the pattern (pcs_[a-zA-Z0-9]+|[A-Za-z][A-Za-z0-9-]{2,40})"));
        }

        if (request.ClientToken is { } token && token.Length is < 8 or > 100)
        {
            fields.Add(("clientToken", "Length must be between 8 and 100"));
        }

        var c = request.SlurmConfiguration;
        if (c?.ScaleDownIdleTimeInSeconds is { } scaleDown && scaleDown is < 1 or > 10_000_000)
        {
            fields.Add(("slurmConfiguration.scaleDownIdleTimeInSeconds", "Value must be between 1 and 10000000"));
        }

        if (c?.Accounting?.DefaultPurgeTimeInDays is { } purge && (purge is < -1 or > 10_000 || purge == 0))
        {
            fields.Add(("slurmConfiguration.accounting.defaultPurgeTimeInDays", purge == 0 ? "0 is not a valid value; use -1 or 1 to 10000" : "Value must be between -1 and 10000"));
        }

        foreach (var (name, list) in new[] { ("slurmCustomSettings", c?.SlurmCustomSettings), ("slurmdbdCustomSettings", c?.SlurmdbdCustomSettings), ("cgroupCustomSettings", c?.CgroupCustomSettings) })
        {
            for (var i = 0; i < (list?.Count ?? 0); i++)
            {
                if (string.IsNullOrEmpty(list![i].ParameterName) || list[i].ParameterValue is null)
                {
                    fields.Add(($"slurmConfiguration.{name}[{i}]", "parameterName and parameterValue are required"));
                }
            }
        }

        foreach (var (name, mode) in new[] { ("slurmConfiguration.accounting.mode", c?.Accounting?.Mode), ("slurmConfiguration.slurmRest.mode", c?.SlurmRest?.Mode) })
        {
            if (mode is not null and not ("STANDARD" or "NONE"))
            {
                fields.Add((name, "Value must be one of STANDARD, NONE"));
            }
        }

        if (fields.Count > 0)
        {
            throw PcsServiceFault.Validation($"{fields.Count} validation error{(fields.Count == 1 ? string.Empty : "s")} detected", "fieldValidationFailed", [.. fields]);
        }

        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier!);
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(request))));
            if (request.ClientToken is { } clientToken && _tokens.TryGetValue($"UpdateCluster/{record.Cluster.Id}/{clientToken}", out var earlier))
            {
                if (earlier.RequestHash != hash)
                {
                    throw PcsServiceFault.Validation("The client token was already used with different request parameters.", "other", ("clientToken", "already used with different parameters"));
                }

                return earlier.Response;
            }

            Refresh(record);
            var status = Reported(record.Cluster.Status, record.Hold);
            if (status is not ("ACTIVE" or "UPDATE_FAILED" or "SUSPENDED"))
            {
                throw PcsServiceFault.Conflict($"Cluster {record.Cluster.Id} is {status}; it can be updated only when ACTIVE, UPDATE_FAILED or SUSPENDED.", record.Cluster.Id, "cluster");
            }

            foreach (var queue in record.Queues.Values)
            {
                Refresh(queue);
                if (Reported(queue.Queue.Status, queue.Hold) != "ACTIVE")
                {
                    throw PcsServiceFault.Conflict($"Queue {queue.Queue.Id} is {Reported(queue.Queue.Status, queue.Hold)}; every queue must be ACTIVE.", queue.Queue.Id, "queue");
                }
            }

            foreach (var group in record.NodeGroups.Values)
            {
                Refresh(group);
                if (Reported(group.Group.Status, group.Hold) != "ACTIVE")
                {
                    throw PcsServiceFault.Conflict($"Compute node group {group.Group.Id} is {Reported(group.Group.Status, group.Hold)}; every compute node group must be ACTIVE.", group.Group.Id, "computeNodeGroup");
                }
            }

            var cluster = record.Cluster;
            var before = cluster.SlurmConfiguration!;
            var after = Apply(before, c);
            _appliedUpdates.AddOrUpdate(cluster.Id, 1, (_, n) => n + 1);
            cluster.Status = "UPDATING";
            cluster.ModifiedAt = Now;
            cluster.ErrorInfo = [];
            var failure = _failNextUpdate.Remove(cluster.Id, out var f) ? f : ((string Code, string Message)?)null;
            record.Pending = failure is { } fail
                ? new Transition(Now + options.Durations.Update, "UPDATE_FAILED", () => cluster.ErrorInfo = [new ErrorInfo { Code = fail.Code, Message = fail.Message }])
                : new Transition(Now + options.Durations.Update, "ACTIVE", () => cluster.SlurmConfiguration = after);
            var response = Write(new ClusterResponse { Cluster = Copy(cluster) }, PcsJsonContext.Default.ClusterResponse);
            if (request.ClientToken is { } t)
            {
                _tokens[$"UpdateCluster/{cluster.Id}/{t}"] = (hash, response);
            }

            return response;
        }
    }

    /// <summary>UpdateCluster's semantics: members that are present replace; a list that is present replaces the whole list.</summary>
    private static ClusterSlurmConfiguration Apply(ClusterSlurmConfiguration current, ClusterSlurmConfiguration? change) => new()
    {
        ScaleDownIdleTimeInSeconds = change?.ScaleDownIdleTimeInSeconds ?? current.ScaleDownIdleTimeInSeconds,
        SlurmCustomSettings = change?.SlurmCustomSettings ?? current.SlurmCustomSettings,
        SlurmdbdCustomSettings = change?.SlurmdbdCustomSettings ?? current.SlurmdbdCustomSettings,
        CgroupCustomSettings = change?.CgroupCustomSettings ?? current.CgroupCustomSettings,
        AuthKey = current.AuthKey,
        JwtAuth = (change?.SlurmRest?.Mode ?? current.SlurmRest?.Mode) == "STANDARD"
            ? current.JwtAuth ?? new JwtAuth { JwtKey = new SecretRef { SecretArn = current.AuthKey?.SecretArn?.Replace("slurm-secret", "slurm-jwt", StringComparison.Ordinal), SecretVersion = "1" } }
            : null,
        Accounting = new Accounting
        {
            Mode = change?.Accounting?.Mode ?? current.Accounting?.Mode,
            DefaultPurgeTimeInDays = change?.Accounting?.DefaultPurgeTimeInDays ?? current.Accounting?.DefaultPurgeTimeInDays,
        },
        SlurmRest = new SlurmRest { Mode = change?.SlurmRest?.Mode ?? current.SlurmRest?.Mode },
    };

    private string DeleteCluster(DeleteClusterRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier);
            Refresh(record);
            if (!record.Queues.IsEmpty || !record.NodeGroups.IsEmpty)
            {
                throw PcsServiceFault.Conflict($"Cluster {record.Cluster.Id} still has queues or compute node groups; delete them first.", record.Cluster.Id, "cluster");
            }

            if (record.Cluster.Status is "DELETING")
            {
                throw PcsServiceFault.Conflict($"Cluster {record.Cluster.Id} is already being deleted.", record.Cluster.Id, "cluster");
            }

            record.Cluster.Status = "DELETING";
            var id = record.Cluster.Id;
            record.Pending = new Transition(Now + options.Durations.Delete, "DELETED", () => _clusters.TryRemove(id, out _));
            return Write(new ClusterResponse { Cluster = Copy(record.Cluster) }, PcsJsonContext.Default.ClusterResponse);
        }
    }

    private string ListClusters(ListRequest request)
    {
        lock (_gate)
        {
            var all = _clusters.Values.OrderBy(c => c.Order).ToList();
            all.ForEach(Refresh);
            var (page, next) = Page(all.Where(c => _clusters.ContainsKey(c.Cluster.Id)).ToList(), request);
            return Write(new ListClustersResponse
            {
                Clusters = [.. page.Select(c => new ResourceSummary { Name = c.Cluster.Name, Id = c.Cluster.Id, Arn = c.Cluster.Arn, CreatedAt = c.Cluster.CreatedAt, ModifiedAt = c.Cluster.ModifiedAt, Status = Reported(c.Cluster.Status, c.Hold) })],
                NextToken = next,
            }, PcsJsonContext.Default.ListClustersResponse);
        }
    }

    private string CreateQueue(CreateQueueRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier);
            RequireActive(record, "queue");
            foreach (var reference in request.ComputeNodeGroupConfigurations ?? [])
            {
                if (reference.ComputeNodeGroupId is null || !record.NodeGroups.Values.Any(g => g.Group.Id == reference.ComputeNodeGroupId || g.Group.Name == reference.ComputeNodeGroupId))
                {
                    throw PcsServiceFault.Validation("1 validation error detected", "fieldValidationFailed",
                        ("computeNodeGroupConfigurations", $"compute node group '{reference.ComputeNodeGroupId}' does not exist in cluster {record.Cluster.Id}"));
                }
            }

            if (record.Queues.Values.Any(q => q.Queue.Name == request.QueueName))
            {
                throw PcsServiceFault.Conflict($"A queue named {request.QueueName} already exists.", request.QueueName, "queue");
            }

            var id = NewId();
            var queue = new Queue
            {
                Name = request.QueueName,
                Id = id,
                Arn = $"{record.Cluster.Arn}/queue/{id}",
                ClusterId = record.Cluster.Id,
                CreatedAt = Now,
                ModifiedAt = Now,
                Status = "CREATING",
                ComputeNodeGroupConfigurations = request.ComputeNodeGroupConfigurations ?? [],
                ErrorInfo = [],
            };
            var q = new QueueRecord { Queue = queue, Order = _sequence, Pending = new Transition(Now + options.Durations.Create, "ACTIVE") };
            record.Queues[id] = q;
            return Write(new QueueResponse { Queue = queue }, PcsJsonContext.Default.QueueResponse);
        }
    }

    private string GetQueue(QueueRequest request)
    {
        lock (_gate)
        {
            return Write(new QueueResponse { Queue = Snapshot(FindQueue(FindRecord(request.ClusterIdentifier), request.QueueIdentifier)) }, PcsJsonContext.Default.QueueResponse);
        }
    }

    private string ListQueues(ListRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier ?? string.Empty);
            var all = record.Queues.Values.ToList();
            all.ForEach(Refresh);
            var (page, next) = Page([.. all.Where(q => record.Queues.ContainsKey(q.Queue.Id)).OrderBy(q => q.Order)], request);
            return Write(new ListQueuesResponse
            {
                Queues = [.. page.Select(q => new ResourceSummary { Name = q.Queue.Name, Id = q.Queue.Id, Arn = q.Queue.Arn, ClusterId = q.Queue.ClusterId, CreatedAt = q.Queue.CreatedAt, ModifiedAt = q.Queue.ModifiedAt, Status = Reported(q.Queue.Status, q.Hold) })],
                NextToken = next,
            }, PcsJsonContext.Default.ListQueuesResponse);
        }
    }

    private string DeleteQueue(QueueRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier);
            var queue = FindQueue(record, request.QueueIdentifier);
            queue.Queue.Status = "DELETING";
            var id = queue.Queue.Id;
            queue.Pending = new Transition(Now + options.Durations.Delete, "DELETED", () => record.Queues.TryRemove(id, out _));
            return Write(new QueueResponse { Queue = Snapshot(queue) }, PcsJsonContext.Default.QueueResponse);
        }
    }

    private string CreateNodeGroup(CreateComputeNodeGroupRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier);
            RequireActive(record, "compute node group");
            if (record.NodeGroups.Values.Any(g => g.Group.Name == request.ComputeNodeGroupName))
            {
                throw PcsServiceFault.Conflict($"A compute node group named {request.ComputeNodeGroupName} already exists.", request.ComputeNodeGroupName, "computeNodeGroup");
            }

            if (request.ScalingConfiguration.MinInstanceCount < 0 || request.ScalingConfiguration.MaxInstanceCount < request.ScalingConfiguration.MinInstanceCount)
            {
                throw PcsServiceFault.Validation("1 validation error detected", "fieldValidationFailed", ("scalingConfiguration", "maxInstanceCount must be at least minInstanceCount, both 0 or more"));
            }

            var id = NewId();
            var group = new ComputeNodeGroup
            {
                Name = request.ComputeNodeGroupName,
                Id = id,
                Arn = $"{record.Cluster.Arn}/computenodegroup/{id}",
                ClusterId = record.Cluster.Id,
                CreatedAt = Now,
                ModifiedAt = Now,
                Status = "CREATING",
                SubnetIds = request.SubnetIds,
                PurchaseOption = request.PurchaseOption ?? "ONDEMAND",
                CustomLaunchTemplate = request.CustomLaunchTemplate,
                IamInstanceProfileArn = request.IamInstanceProfileArn,
                ScalingConfiguration = request.ScalingConfiguration,
                InstanceConfigs = request.InstanceConfigs,
                ErrorInfo = [],
            };
            var g = new NodeGroupRecord { Group = group, Order = _sequence, Pending = new Transition(Now + options.Durations.Create, "ACTIVE") };
            record.NodeGroups[id] = g;
            return Write(new ComputeNodeGroupResponse { ComputeNodeGroup = group }, PcsJsonContext.Default.ComputeNodeGroupResponse);
        }
    }

    private string GetNodeGroup(ComputeNodeGroupRequest request)
    {
        lock (_gate)
        {
            return Write(new ComputeNodeGroupResponse { ComputeNodeGroup = Snapshot(FindGroup(FindRecord(request.ClusterIdentifier), request.ComputeNodeGroupIdentifier)) }, PcsJsonContext.Default.ComputeNodeGroupResponse);
        }
    }

    private string ListNodeGroups(ListRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier ?? string.Empty);
            var all = record.NodeGroups.Values.ToList();
            all.ForEach(Refresh);
            var (page, next) = Page([.. all.Where(g => record.NodeGroups.ContainsKey(g.Group.Id)).OrderBy(g => g.Order)], request);
            return Write(new ListComputeNodeGroupsResponse
            {
                ComputeNodeGroups = [.. page.Select(g => new ResourceSummary { Name = g.Group.Name, Id = g.Group.Id, Arn = g.Group.Arn, ClusterId = g.Group.ClusterId, CreatedAt = g.Group.CreatedAt, ModifiedAt = g.Group.ModifiedAt, Status = Reported(g.Group.Status, g.Hold) })],
                NextToken = next,
            }, PcsJsonContext.Default.ListComputeNodeGroupsResponse);
        }
    }

    private string DeleteNodeGroup(ComputeNodeGroupRequest request)
    {
        lock (_gate)
        {
            var record = FindRecord(request.ClusterIdentifier);
            var group = FindGroup(record, request.ComputeNodeGroupIdentifier);
            group.Group.Status = "DELETING";
            var id = group.Group.Id;
            group.Pending = new Transition(Now + options.Durations.Delete, "DELETED", () => record.NodeGroups.TryRemove(id, out _));
            return Write(new ComputeNodeGroupResponse { ComputeNodeGroup = Snapshot(group) }, PcsJsonContext.Default.ComputeNodeGroupResponse);
        }
    }

    private (List<T> Page, string? Next) Page<T>(List<T> all, ListRequest request)
    {
        var start = 0;
        if (request.NextToken is { } token)
        {
            if (!int.TryParse(Encoding.UTF8.GetString(Convert.TryFromBase64String(token, new byte[64], out var n) ? Convert.FromBase64String(token) : []), NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 0 || start > all.Count || n == 0)
            {
                throw PcsServiceFault.Validation("The nextToken is not valid.", "other", ("nextToken", "invalid"));
            }
        }

        var size = request.MaxResults is { } max ? Math.Clamp(max, 1, 100) : options.DefaultPageSize;
        var page = all.Skip(start).Take(size).ToList();
        var next = start + size < all.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes((start + size).ToString(CultureInfo.InvariantCulture))) : null;
        return (page, next);
    }

    private ClusterRecord FindRecord(string identifier)
    {
        if (_clusters.TryGetValue(identifier, out var byId))
        {
            Refresh(byId);
            if (_clusters.ContainsKey(identifier))
            {
                return byId;
            }
        }

        foreach (var record in _clusters.Values)
        {
            if (record.Cluster.Name == identifier)
            {
                Refresh(record);
                if (_clusters.ContainsKey(record.Cluster.Id))
                {
                    return record;
                }
            }
        }

        throw PcsServiceFault.NotFound("cluster", identifier);
    }

    private QueueRecord FindQueue(ClusterRecord record, string identifier)
    {
        var queue = record.Queues.Values.FirstOrDefault(q => q.Queue.Id == identifier || q.Queue.Name == identifier) ?? throw PcsServiceFault.NotFound("queue", identifier);
        Refresh(queue);
        return record.Queues.ContainsKey(queue.Queue.Id) ? queue : throw PcsServiceFault.NotFound("queue", identifier);
    }

    private NodeGroupRecord FindGroup(ClusterRecord record, string identifier)
    {
        var group = record.NodeGroups.Values.FirstOrDefault(g => g.Group.Id == identifier || g.Group.Name == identifier) ?? throw PcsServiceFault.NotFound("computeNodeGroup", identifier);
        Refresh(group);
        return record.NodeGroups.ContainsKey(group.Group.Id) ? group : throw PcsServiceFault.NotFound("computeNodeGroup", identifier);
    }

    private void RequireActive(ClusterRecord record, string what)
    {
        Refresh(record);
        var status = Reported(record.Cluster.Status, record.Hold);
        if (status != "ACTIVE")
        {
            throw PcsServiceFault.Conflict($"Cluster {record.Cluster.Id} is {status}; a {what} can be created only in an ACTIVE cluster.", record.Cluster.Id, "cluster");
        }
    }

    private void Refresh(ClusterRecord record) => record.Cluster.Status = Advance(record.Cluster.Status, record.Pending, p => record.Pending = p, () => record.Cluster.ModifiedAt = Now);

    private void Refresh(QueueRecord record) => record.Queue.Status = Advance(record.Queue.Status, record.Pending, p => record.Pending = p, () => record.Queue.ModifiedAt = Now);

    private void Refresh(NodeGroupRecord record) => record.Group.Status = Advance(record.Group.Status, record.Pending, p => record.Pending = p, () => record.Group.ModifiedAt = Now);

    private string Advance(string status, Transition? pending, Action<Transition?> setPending, Action touch)
    {
        if (pending is null || Now < pending.At)
        {
            return status;
        }

        setPending(null);
        pending.OnArrival?.Invoke();
        touch();
        return pending.To;
    }

    private string Reported(string status, (string Status, DateTimeOffset Until)? hold) => hold is { } h && Now < h.Until ? h.Status : status;

    private Cluster Snapshot(ClusterRecord record)
    {
        Refresh(record);
        var copy = Copy(record.Cluster);
        copy.Status = Reported(record.Cluster.Status, record.Hold);
        return copy;
    }

    private Queue Snapshot(QueueRecord record)
    {
        Refresh(record);
        var copy = JsonSerializer.Deserialize(JsonSerializer.Serialize(new QueueResponse { Queue = record.Queue }, PcsJsonContext.Default.QueueResponse), PcsJsonContext.Default.QueueResponse)!.Queue!;
        copy.Status = Reported(record.Queue.Status, record.Hold);
        return copy;
    }

    private ComputeNodeGroup Snapshot(NodeGroupRecord record)
    {
        Refresh(record);
        var copy = JsonSerializer.Deserialize(JsonSerializer.Serialize(new ComputeNodeGroupResponse { ComputeNodeGroup = record.Group }, PcsJsonContext.Default.ComputeNodeGroupResponse), PcsJsonContext.Default.ComputeNodeGroupResponse)!.ComputeNodeGroup!;
        copy.Status = Reported(record.Group.Status, record.Hold);
        return copy;
    }

    private static Cluster Copy(Cluster cluster) =>
        JsonSerializer.Deserialize(JsonSerializer.Serialize(new ClusterResponse { Cluster = cluster }, PcsJsonContext.Default.ClusterResponse), PcsJsonContext.Default.ClusterResponse)!.Cluster!;

    private static string Canonical(UpdateClusterRequest request) =>
        JsonSerializer.Serialize(new UpdateClusterRequest { ClusterIdentifier = request.ClusterIdentifier, SlurmConfiguration = request.SlurmConfiguration }, PcsJsonContext.Default.UpdateClusterRequest);

    private string NewId()
    {
        var n = Interlocked.Increment(ref _sequence);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{options.Account}/{n}")));
        return "pcs_" + hash[..10];
    }

    private static T Read<T>(string body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(string.IsNullOrWhiteSpace(body) ? "{}" : body, type) ?? throw PcsServiceFault.Validation("The request body is empty.", "cannotParse");
        }
        catch (JsonException ex)
        {
            throw PcsServiceFault.Validation($"The request body could not be parsed: {ex.Message}", "cannotParse");
        }
    }

    private static string Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);
}
