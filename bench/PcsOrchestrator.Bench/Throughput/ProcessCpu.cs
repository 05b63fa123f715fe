using System.Globalization;

namespace PcsOrchestrator.Bench.Throughput;

/// <summary>
/// CPU time of a process and all its descendants, from /proc (Linux): what DynamoDB Local's JVM (a child of its
/// launcher) spends, beside the bench process's own time.
/// </summary>
public static class ProcessCpu
{
    /// <summary>User plus system time of <paramref name="rootPid"/> and its descendants; zero where /proc is missing.</summary>
    public static TimeSpan OfTree(int rootPid)
    {
        if (!Directory.Exists("/proc"))
        {
            return TimeSpan.Zero;
        }

        var stats = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } stat)
            {
                stats[pid] = stat;
            }
        }

        var ticks = 0L;
        var pending = new Stack<int>([rootPid]);
        while (pending.TryPop(out var pid))
        {
            if (stats.TryGetValue(pid, out var stat))
            {
                ticks += stat.Ticks;
            }

            foreach (var (child, _) in stats.Where(s => s.Value.Parent == pid))
            {
                pending.Push(child);
            }
        }

        // USER_HZ is 100 on every Linux this runs on.
        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    private static (int Parent, long Ticks)? Read(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");

            // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
