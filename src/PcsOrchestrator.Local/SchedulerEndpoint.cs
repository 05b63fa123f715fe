using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PcsOrchestrator.Aws.EventBridgeScheduler;
using PcsOrchestrator.Domain.Windows;

namespace PcsOrchestrator.Local;

/// <summary>
/// A local Amazon EventBridge Scheduler on loopback: CreateSchedule, UpdateSchedule, GetSchedule, DeleteSchedule and
/// ListSchedules in the service's REST-JSON protocol (SigV4 <c>Authorization</c> header required, not verified), so
/// the project's <see cref="SchedulerClient"/> and <c>aws scheduler ... --endpoint-url</c> work against it. Schedules
/// live in memory per (group, name); any group name is accepted (there is no schedule-group API).
/// <para>
/// Every ENABLED schedule fires on <see cref="SchedulerEndpointOptions.Time"/>: occurrences come from
/// <see cref="WindowSchedule"/> in the schedule's time zone (rate() counts from StartDate, else the creation time;
/// StartDate and EndDate bound recurring schedules; nothing before the schedule was created or last changed fires),
/// each exactly once, in time order, through <see cref="SchedulerEndpointOptions.Invoke"/> with the context
/// attributes substituted in the input. A failed attempt is retried at once up to the target's
/// MaximumRetryAttempts, then recorded as failed. A schedule with ActionAfterCompletion DELETE is removed after its
/// last occurrence (an at() schedule: after it fired). Drive it with <see cref="FireDueAsync"/> on a virtual clock,
/// or <see cref="Start"/> the background loop.
/// </para>
/// </summary>
public sealed class SchedulerEndpoint : IAsyncDisposable
{
    /// <summary>ListSchedules' page size when MaxResults is not given (the model's maximum).</summary>
    public const int MaxPageSize = 100;

    /// <summary>The longest single wait of the background loop; it then looks again (Task.Delay has an upper bound).</summary>
    private static readonly TimeSpan LongestWait = TimeSpan.FromHours(12);

    private const string SchedulesMember = "Schedules";

    private readonly WebApplication _app;
    private readonly SchedulerEndpointOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<InvocationRecord> _invocations = new();
    private readonly ConcurrentQueue<SchedulerCall> _calls = new();
    private readonly SemaphoreSlim _firing = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private bool _disposed;

    private SchedulerEndpoint(WebApplication app, SchedulerEndpointOptions options)
    {
        _app = app;
        _options = options;
        _time = options.Time;
    }

    public Uri Endpoint { get; private set; } = new("http://127.0.0.1/");

    public string Region => _options.Region;

    public string Account => _options.Account;

    /// <summary>The schedules held now, by group then name, with their next occurrence.</summary>
    public IReadOnlyList<EmulatedSchedule> Schedules
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Values.Select(e => new EmulatedSchedule(Copy(e.Definition), e.Enabled ? e.Pending : null))];
            }
        }
    }

    /// <summary>Every occurrence fired so far, in the order fired, with its outcome.</summary>
    public IReadOnlyList<InvocationRecord> Invocations => [.. _invocations];

    /// <summary>Every request answered, in order.</summary>
    public IReadOnlyList<SchedulerCall> Calls => [.. _calls];

    /// <summary>Whether the background loop is running (<see cref="Start"/> until disposal).</summary>
    public bool IsLoopRunning => _loop is { IsCompleted: false };

    public static async Task<SchedulerEndpoint> StartAsync(SchedulerEndpointOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var endpoint = new SchedulerEndpoint(app, options);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        endpoint.Endpoint = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        return endpoint;
    }

    /// <summary>The ARN EventBridge Scheduler gives a schedule: <c>arn:aws:scheduler:{region}:{account}:schedule/{group}/{name}</c>.</summary>
    public string ScheduleArn(string groupName, string name) => $"arn:aws:scheduler:{_options.Region}:{_options.Account}:schedule/{groupName}/{name}";

    /// <summary>The earliest occurrence of any enabled schedule that has not fired yet (it may already be due).</summary>
    public DateTimeOffset? NextFireTime()
    {
        lock (_gate)
        {
            return _entries.Values.Where(e => e.Enabled && e.Pending is not null).Select(e => e.Pending).Min();
        }
    }

    /// <summary>
    /// Fires, in time order, every occurrence at or before the clock's now that has not fired yet, and returns the
    /// first attempt of each (their outcomes are in <see cref="Invocations"/>). Calls are serialized, so each
    /// occurrence fires exactly once however often and from wherever this is called.
    /// </summary>
    public async Task<IReadOnlyList<ScheduledInvocation>> FireDueAsync(CancellationToken cancellationToken)
    {
        await _firing.WaitAsync(cancellationToken);
        try
        {
            var fired = new List<ScheduledInvocation>();
            while (TakeDue() is { } due)
            {
                var (entry, version, invocation, template, retries) = due;
                fired.Add(invocation);
                var record = await InvokeAsync(invocation, template, retries, cancellationToken);
                _invocations.Enqueue(record);
                lock (_gate)
                {
                    // DELETE after completion: once the schedule has no occurrence left (and was not changed meanwhile).
                    if (entry.Version == version && entry.Definition.ActionAfterCompletion == ActionsAfterCompletion.Delete && entry.Pending is null
                        && _entries.TryGetValue(entry.Key, out var current) && ReferenceEquals(current, entry))
                    {
                        _entries.Remove(entry.Key);
                    }
                }
            }

            return fired;
        }
        finally
        {
            _firing.Release();
        }
    }

    /// <summary>
    /// Starts the background loop: it waits on the clock until <see cref="NextFireTime"/>, fires what is due, and wakes
    /// early when a schedule is created, updated or deleted. It stops on disposal. A second call does nothing.
    /// </summary>
    public void Start()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _loop ??= Task.Run(() => LoopAsync(_stopping.Token));
        }
    }

    /// <summary>Stops the loop (an invocation under way sees the cancellation), waits for it to end, then stops the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            loop = _loop;
        }

        await _stopping.CancelAsync();
        if (loop is not null)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task LoopAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            // Taken before looking at the schedules: a change made after this point completes it and wakes the wait.
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            try
            {
                await FireDueAsync(stopping);
                var next = NextFireTime();
                using var waking = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                Task delay;
                if (next is null)
                {
                    delay = Task.Delay(Timeout.InfiniteTimeSpan, waking.Token);
                }
                else
                {
                    var wait = next.Value - _time.GetUtcNow();
                    if (wait <= TimeSpan.Zero)
                    {
                        continue;
                    }

                    delay = Task.Delay(wait < LongestWait ? wait : LongestWait, _time, waking.Token);

                    // A virtual clock may have moved between the reading and the timer (or jumped when the timer was made).
                    if (_time.GetUtcNow() >= next.Value)
                    {
                        await waking.CancelAsync();
                        await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        continue;
                    }
                }

                await Task.WhenAny(delay, changed);
                await waking.CancelAsync();
                await delay.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Changed()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    /// <summary>The earliest due occurrence of an enabled schedule, consumed (the schedule moves past it) before it is invoked.</summary>
    private (Entry Entry, long Version, ScheduledInvocation Invocation, string? Template, int Retries)? TakeDue()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Entry? due = null;
            foreach (var entry in _entries.Values)
            {
                if (entry.Enabled && entry.Pending is { } pending && pending <= now && (due is null || pending < due.Pending))
                {
                    due = entry;
                }
            }

            if (due is null)
            {
                return null;
            }

            var at = due.Pending!.Value;
            due.NotBefore = at + TimeSpan.FromTicks(1);
            due.Pending = due.NextOccurrence();
            var definition = due.Definition;
            var target = definition.Target!;
            var invocation = new ScheduledInvocation
            {
                ScheduleArn = definition.Arn,
                ScheduleName = definition.Name,
                GroupName = definition.GroupName!,
                TargetArn = target.Arn,
                RoleArn = target.RoleArn,
                ScheduledTime = at.ToUniversalTime(),
                ExecutionId = Guid.NewGuid().ToString(),
                Input = null,
            };
            invocation = invocation with { Input = Substitute(target.Input, invocation) };
            return (due, due.Version, invocation, target.Input, target.RetryPolicy?.MaximumRetryAttempts ?? 185);
        }
    }

    private async Task<InvocationRecord> InvokeAsync(ScheduledInvocation first, string? template, int retries, CancellationToken cancellationToken)
    {
        var attempt = first;
        string? error = null;
        for (var number = 1; number <= retries + 1; number++)
        {
            if (number > 1)
            {
                attempt = first with { AttemptNumber = number };
                attempt = attempt with { Input = Substitute(template, attempt) };
            }

            try
            {
                await _options.Invoke(attempt, cancellationToken);
                return new InvocationRecord(first, number, Succeeded: true, null, _time.GetUtcNow());
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _invocations.Enqueue(new InvocationRecord(first, number, Succeeded: false, "cancelled: the scheduler stopped", _time.GetUtcNow()));
                throw;
            }
#pragma warning disable CA1031 // A target's failure, whatever it is, is recorded and never stops the emulator.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
            }
        }

        return new InvocationRecord(first, retries + 1, Succeeded: false, error, _time.GetUtcNow());
    }

    /// <summary>EventBridge Scheduler's context attributes in the target input.</summary>
    private static string? Substitute(string? input, ScheduledInvocation invocation) => input?
        .Replace("<aws.scheduler.scheduled-time>", invocation.ScheduledTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("<aws.scheduler.schedule-arn>", invocation.ScheduleArn, StringComparison.Ordinal)
        .Replace("<aws.scheduler.execution-id>", invocation.ExecutionId, StringComparison.Ordinal)
        .Replace("<aws.scheduler.attempt-number>", invocation.AttemptNumber.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private async Task HandleAsync(HttpContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted);
        }

        var requestId = Guid.NewGuid().ToString();
        var path = context.Request.Path.Value ?? "/";
        var method = context.Request.Method;
        string? name = path.StartsWith("/schedules/", StringComparison.Ordinal) ? path["/schedules/".Length..] : null;
        var operation = (method, name, path) switch
        {
            ("POST", { Length: > 0 }, _) => "CreateSchedule",
            ("PUT", { Length: > 0 }, _) => "UpdateSchedule",
            ("GET", { Length: > 0 }, _) => "GetSchedule",
            ("DELETE", { Length: > 0 }, _) => "DeleteSchedule",
            ("GET", null, "/schedules" or "/schedules/") => "ListSchedules",
            _ => null,
        };
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        context.Response.ContentType = "application/json";
        int status = StatusCodes.Status200OK;
        JsonObject answer;
        try
        {
            Authenticate(context.Request.Headers.Authorization.ToString());
            if (operation is null || (name is not null && name.Contains('/', StringComparison.Ordinal)))
            {
                throw new Fault(StatusCodes.Status404NotFound, "UnknownOperationException", $"{method} {path} is not an operation of EventBridge Scheduler");
            }

            answer = operation switch
            {
                "CreateSchedule" => Create(name!, ReadObject(body)),
                "UpdateSchedule" => Update(name!, ReadObject(body)),
                "GetSchedule" => Get(name!, context.Request.Query),
                "DeleteSchedule" => Delete(name!, context.Request.Query),
                _ => List(context.Request.Query),
            };
        }
        catch (Fault fault)
        {
            status = fault.Status;
            context.Response.Headers["x-amzn-ErrorType"] = fault.Code;
            answer = new JsonObject { ["Message"] = fault.Message };
        }

        _calls.Enqueue(new SchedulerCall(operation ?? $"{method} {path}", status, requestId));
        context.Response.StatusCode = status;
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private JsonObject Create(string name, JsonObject body)
    {
        var (definition, timing, token) = Read(name, body);
        var now = _time.GetUtcNow();
        var key = Key(definition.GroupName!, name);
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                // A retried create (same client token) gets the first answer; any other reuse of the name conflicts.
                if (token is not null && existing.CreateToken == token)
                {
                    return new JsonObject { ["ScheduleArn"] = existing.Definition.Arn };
                }

                throw new Fault(StatusCodes.Status409Conflict, "ConflictException", $"Schedule {name} already exists.");
            }

            definition.Arn = ScheduleArn(definition.GroupName!, name);
            definition.CreationDate = now;
            definition.LastModificationDate = now;
            var entry = new Entry(key, definition, timing) { CreateToken = token, NotBefore = now };
            entry.Pending = entry.NextOccurrence();
            _entries[key] = entry;
        }

        Changed();
        return new JsonObject { ["ScheduleArn"] = definition.Arn };
    }

    private JsonObject Update(string name, JsonObject body)
    {
        var (definition, timing, _) = Read(name, body, creation: key =>
        {
            lock (_gate)
            {
                return Find(key, name).Definition.CreationDate;
            }
        });
        var now = _time.GetUtcNow();
        var key = Key(definition.GroupName!, name);
        lock (_gate)
        {
            var existing = Find(key, name);
            definition.Arn = existing.Definition.Arn;
            definition.CreationDate = existing.Definition.CreationDate;
            definition.LastModificationDate = now;
            var entry = new Entry(key, definition, timing)
            {
                CreateToken = existing.CreateToken,

                // Nothing already fired fires again, and nothing before the change fires late.
                NotBefore = existing.NotBefore > now ? existing.NotBefore : now,
                Version = existing.Version + 1,
            };
            entry.Pending = entry.NextOccurrence();
            existing.Version = entry.Version;
            _entries[key] = entry;
        }

        Changed();
        return new JsonObject { ["ScheduleArn"] = definition.Arn };
    }

    private JsonObject Get(string name, IQueryCollection query)
    {
        var group = Group(name, query);
        lock (_gate)
        {
            return ToJson(Find(Key(group, name), name).Definition);
        }
    }

    private JsonObject Delete(string name, IQueryCollection query)
    {
        var group = Group(name, query);
        var reader = new SchedulerModelReader();
        reader.ClientToken(Single(query, "clientToken"));
        Validate(reader);

        lock (_gate)
        {
            var key = Key(group, name);
            var existing = Find(key, name);
            existing.Version++;
            _entries.Remove(key);
        }

        Changed();
        return [];
    }

    private JsonObject List(IQueryCollection query)
    {
        var reader = new SchedulerModelReader();
        var group = Single(query, "ScheduleGroup");
        reader.Name(group, "GroupName", required: false);
        var prefix = Single(query, "NamePrefix");
        reader.Name(prefix, "NamePrefix", required: false);
        var state = Single(query, "State");
        reader.Enum(state, "State", ScheduleStates.Enabled, ScheduleStates.Disabled);
        var size = MaxPageSize;
        if (Single(query, "MaxResults") is { } max && (!int.TryParse(max, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            reader.Violate(max, "MaxResults", $"Member must have value between 1 and {MaxPageSize}");
        }

        string? after = null;
        if (Single(query, "NextToken") is { } token)
        {
            try
            {
                after = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                reader.Violate(token, "NextToken", "Member must be a token a previous ListSchedules returned");
            }
        }

        Validate(reader);
        List<Entry> page;
        bool more;
        lock (_gate)
        {
            var matching = _entries.Values
                .Where(e => after is null || string.CompareOrdinal(e.Key, after) > 0)
                .Where(e => group is null || e.Definition.GroupName == group)
                .Where(e => prefix is null || e.Definition.Name.StartsWith(prefix, StringComparison.Ordinal))
                .Where(e => state is null || e.Definition.State == state)
                .Take(size + 1)
                .ToList();
            more = matching.Count > size;
            page = matching.Take(size).ToList();
        }

        var schedules = new JsonArray();
        foreach (var entry in page)
        {
            var d = entry.Definition;
            schedules.Add(new JsonObject
            {
                ["Arn"] = d.Arn,
                ["Name"] = d.Name,
                ["GroupName"] = d.GroupName,
                ["State"] = d.State,
                ["CreationDate"] = Epoch(d.CreationDate!.Value),
                ["LastModificationDate"] = Epoch(d.LastModificationDate!.Value),
                ["Target"] = new JsonObject { ["Arn"] = d.Target!.Arn },
            });
        }

        var answer = new JsonObject { [SchedulesMember] = schedules };
        if (more)
        {
            answer["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Key));
        }

        return answer;
    }

    /// <summary>A body's definition, its constraints checked, its expression parsed in its time zone.</summary>
    private (Schedule Definition, WindowSchedule Timing, string? Token) Read(string name, JsonObject body, Func<string, DateTimeOffset?>? creation = null)
    {
        var reader = new SchedulerModelReader();
        var definition = reader.Definition(name, body);
        var token = reader.Text(body, "ClientToken");
        Validate(reader);
        if (definition.StartDate is { } start && definition.EndDate is { } end && end <= start)
        {
            throw Validation($"Invalid EndDate {end:O}: the EndDate must be later than the StartDate {start:O}.");
        }

        var zone = definition.ScheduleExpressionTimezone ?? "UTC";
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            throw Validation($"Invalid ScheduleExpressionTimezone '{zone}': not a time zone EventBridge Scheduler knows (use an IANA name such as Europe/Berlin or UTC).");
        }

        // rate() counts from StartDate, else from the creation time (kept by an update).
        var anchor = definition.StartDate ?? creation?.Invoke(Key(definition.GroupName!, name)) ?? _time.GetUtcNow();
        var (timing, issues) = WindowSchedule.Parse(definition.ScheduleExpression, zone, durationMinutes: 1, cutoffMinutes: 0, anchor: anchor);
        if (timing is null)
        {
            throw Validation($"Invalid ScheduleExpression '{definition.ScheduleExpression}': {string.Join("; ", issues.Select(i => i.Message))}");
        }

        return (definition, timing, token);
    }

    private static string Group(string name, IQueryCollection query)
    {
        var reader = new SchedulerModelReader();
        reader.Name(name, "Name", required: true);
        var group = Single(query, "groupName");
        reader.Name(group, "GroupName", required: false);
        Validate(reader);
        return group ?? "default";
    }

    private Entry Find(string key, string name) =>
        _entries.TryGetValue(key, out var entry) ? entry : throw new Fault(StatusCodes.Status404NotFound, "ResourceNotFoundException", $"Schedule {name} does not exist.");

    private static JsonObject ReadObject(string body)
    {
        try
        {
            return JsonNode.Parse(body.Length == 0 ? "{}" : body) as JsonObject ?? throw Validation("The request body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new Fault(StatusCodes.Status400BadRequest, "SerializationException", $"The request body is not JSON: {ex.Message}");
        }
    }

    /// <summary>A SigV4 Authorization header scoped to the <c>scheduler</c> service is required (its signature is not verified).</summary>
    private static void Authenticate(string authorization)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            throw new Fault(StatusCodes.Status403Forbidden, "MissingAuthenticationTokenException", "Missing Authentication Token");
        }

        if (!authorization.StartsWith("AWS4-HMAC-SHA256 ", StringComparison.Ordinal) || !authorization.Contains("Signature=", StringComparison.Ordinal))
        {
            throw new Fault(StatusCodes.Status403Forbidden, "IncompleteSignatureException", "Authorization header requires a SigV4 Credential, SignedHeaders and Signature.");
        }

        var credential = authorization.Split(["Credential="], StringSplitOptions.None).ElementAtOrDefault(1)?.Split(',')[0] ?? string.Empty;
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[3] != SchedulerClient.SigningName || scope[4] != "aws4_request")
        {
            throw new Fault(StatusCodes.Status403Forbidden, "InvalidSignatureException", $"Credential should be scoped to correct service: '{SchedulerClient.SigningName}'.");
        }
    }

    private static void Validate(SchedulerModelReader reader)
    {
        if (reader.Message is { } message)
        {
            throw Validation(message);
        }
    }

    private static Fault Validation(string message) => new(StatusCodes.Status400BadRequest, "ValidationException", message);

    private static string? Single(IQueryCollection query, string member) => query.TryGetValue(member, out var values) ? values.ToString() : null;

    private static string Key(string group, string name) => group + "/" + name;

    private static double Epoch(DateTimeOffset instant) => Math.Round((instant - DateTimeOffset.UnixEpoch).TotalSeconds, 3);

    /// <summary>GetSchedule's answer, written member by member (independently of the client's model).</summary>
    private static JsonObject ToJson(Schedule d)
    {
        var target = d.Target!;
        var targetJson = new JsonObject { ["Arn"] = target.Arn, ["RoleArn"] = target.RoleArn };
        if (target.Input is not null)
        {
            targetJson["Input"] = target.Input;
        }

        if (target.RetryPolicy is { } retry)
        {
            targetJson["RetryPolicy"] = new JsonObject { ["MaximumEventAgeInSeconds"] = retry.MaximumEventAgeInSeconds, ["MaximumRetryAttempts"] = retry.MaximumRetryAttempts };
        }

        if (target.DeadLetterConfig is { } dlq)
        {
            targetJson["DeadLetterConfig"] = dlq.Arn is null ? new JsonObject() : new JsonObject { ["Arn"] = dlq.Arn };
        }

        var window = new JsonObject { ["Mode"] = d.FlexibleTimeWindow!.Mode };
        if (d.FlexibleTimeWindow.MaximumWindowInMinutes is { } minutes)
        {
            window["MaximumWindowInMinutes"] = minutes;
        }

        var answer = new JsonObject
        {
            ["ActionAfterCompletion"] = d.ActionAfterCompletion,
            ["Arn"] = d.Arn,
            ["CreationDate"] = Epoch(d.CreationDate!.Value),
            ["FlexibleTimeWindow"] = window,
            ["GroupName"] = d.GroupName,
            ["LastModificationDate"] = Epoch(d.LastModificationDate!.Value),
            ["Name"] = d.Name,
            ["ScheduleExpression"] = d.ScheduleExpression,
            ["State"] = d.State,
            ["Target"] = targetJson,
        };
        AddIfPresent(answer, "Description", d.Description);
        AddIfPresent(answer, "KmsKeyArn", d.KmsKeyArn);
        AddIfPresent(answer, "ScheduleExpressionTimezone", d.ScheduleExpressionTimezone);
        if (d.StartDate is { } start)
        {
            answer["StartDate"] = Epoch(start);
        }

        if (d.EndDate is { } end)
        {
            answer["EndDate"] = Epoch(end);
        }

        return answer;
    }

    private static void AddIfPresent(JsonObject json, string member, string? value)
    {
        if (value is not null)
        {
            json[member] = value;
        }
    }

    private static Schedule Copy(Schedule schedule) =>
        JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(schedule, SchedulerJsonContext.Default.Schedule), SchedulerJsonContext.Default.Schedule)!;

    /// <summary>A schedule held in memory and where its occurrences stand.</summary>
    private sealed class Entry(string key, Schedule definition, WindowSchedule timing)
    {
        public string Key { get; } = key;

        public Schedule Definition { get; } = definition;

        public WindowSchedule Timing { get; } = timing;

        public string? CreateToken { get; init; }

        /// <summary>No occurrence before this instant fires: the creation or last change, or just past the last one fired.</summary>
        public DateTimeOffset NotBefore { get; set; }

        /// <summary>The next occurrence at or after <see cref="NotBefore"/>, within StartDate and EndDate; null when there is none.</summary>
        public DateTimeOffset? Pending { get; set; }

        /// <summary>Bumped by an update or a delete, so a firing under way does not act on a changed schedule.</summary>
        public long Version { get; set; }

        public bool Enabled => Definition.State == ScheduleStates.Enabled;

        private bool OneTime => Definition.ScheduleExpression.StartsWith("at(", StringComparison.Ordinal);

        public DateTimeOffset? NextOccurrence()
        {
            var from = NotBefore;
            if (!OneTime && Definition.StartDate is { } start && start > from)
            {
                from = start;
            }

            // Windows last one minute here and occurrences are at least a minute apart, so two are enough to find the first at or after `from`.
            var next = Timing.Occurrences(from, 2).Select(w => w.Start).FirstOrDefault(s => s >= from);
            return next is { } n && !OneTime && Definition.EndDate is { } end && n > end ? null : next;
        }
    }

    private sealed class Fault(int status, string code, string message) : Exception(message)
    {
        public int Status { get; } = status;

        public string Code { get; } = code;
    }
}
