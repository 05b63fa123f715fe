using System.Collections.Concurrent;

namespace PcsOrchestrator.Local.Pcs;

public enum FaultKind
{
    /// <summary>Answer ThrottlingException (with retryAfterSeconds when given).</summary>
    Throttle,

    /// <summary>Answer 500 InternalServerException.</summary>
    ServerError,

    /// <summary>Answer normally, but only after a delay.</summary>
    Delay,

    /// <summary>Drop the connection without an answer.</summary>
    Drop,

    /// <summary>Serve the call (a mutation takes effect), then drop the connection before the answer: the lost response.</summary>
    DropAfter,
}

/// <summary>A fault armed for the next <see cref="Count"/> calls (of <see cref="Operation"/>, or of any operation).</summary>
public sealed record Fault(FaultKind Kind, int Count, string? Operation = null, int? RetryAfterSeconds = null, int DelayMilliseconds = 0);

/// <summary>The armed faults; each call consumes at most one.</summary>
internal sealed class FaultBook
{
    private readonly ConcurrentQueue<FaultSlot> _slots = new();
    private readonly Lock _gate = new();

    public void Arm(Fault fault)
    {
        _slots.Enqueue(new FaultSlot(fault, fault.Count));
    }

    public Fault? Take(string operation)
    {
        lock (_gate)
        {
            foreach (var slot in _slots)
            {
                if (slot.Remaining > 0 && (slot.Fault.Operation is null || slot.Fault.Operation == operation))
                {
                    slot.Remaining--;
                    return slot.Fault;
                }
            }

            return null;
        }
    }

    public void Clear() => _slots.Clear();

    private sealed class FaultSlot(Fault fault, int remaining)
    {
        public Fault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
