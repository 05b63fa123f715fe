using System.Globalization;
using System.Text.RegularExpressions;
using Cronos;
using PcsOrchestrator.Domain.Model;
using PcsOrchestrator.Domain.Validation;

namespace PcsOrchestrator.Domain.Windows;

/// <summary>
/// A recurring maintenance window: when it opens (a schedule expression as EventBridge Scheduler accepts it, in an
/// IANA time zone), how long it stays open, and its cutoff (no update starts after <c>end - cutoff</c>, as with SSM
/// Maintenance Windows). Occurrences are computed in the window's time zone, so a window at 02:00 local time opens at
/// 02:00 local time on both sides of a daylight-saving change; a local time the change skips opens at the first
/// instant after the gap, and a local time it repeats opens once, at its first occurrence.
/// <para>
/// Expressions: <c>cron(minutes hours day-of-month month day-of-week year)</c> with EventBridge's fields (one of the
/// two day fields is <c>?</c>; day-of-week 1-7 is SUN-SAT or names; L, W and # as EventBridge allows), <c>rate(value
/// unit)</c> counted from <see cref="Anchor"/>, and <c>at(yyyy-mm-ddThh:mm:ss)</c> for a single window.
/// </para>
/// </summary>
public sealed partial class WindowSchedule
{
    public const int MaxDurationMinutes = 24 * 60;

    private readonly CronExpression? _cron;
    private readonly Func<int, bool> _year;
    private readonly TimeSpan? _rate;
    private readonly DateTime? _at;

    private WindowSchedule(string expression, TimeZoneInfo zone, TimeSpan duration, TimeSpan cutoff, DateTimeOffset? anchor, CronExpression? cron, Func<int, bool> year, TimeSpan? rate, DateTime? at)
    {
        Expression = expression;
        Zone = zone;
        Duration = duration;
        Cutoff = cutoff;
        Anchor = anchor;
        _cron = cron;
        _year = year;
        _rate = rate;
        _at = at;
    }

    public string Expression { get; }

    public TimeZoneInfo Zone { get; }

    public TimeSpan Duration { get; }

    public TimeSpan Cutoff { get; }

    /// <summary>Where a <c>rate(...)</c> schedule counts from (EventBridge Scheduler's start date).</summary>
    public DateTimeOffset? Anchor { get; }

    /// <summary>
    /// Parses a window definition; every problem is reported with <paramref name="path"/>'s member and the rule
    /// (<c>$.schedule [pattern]</c>, <c>$.timeZone [time-zone]</c>, <c>$.durationMinutes [range]</c>, ...), never thrown.
    /// </summary>
    public static (WindowSchedule? Schedule, IReadOnlyList<ValidationIssue> Issues) Parse(
        string expression, string timeZone, int durationMinutes, int cutoffMinutes, DateTimeOffset? anchor = null, string path = "$")
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(timeZone);
        var issues = new IssueCollector();
        TimeZoneInfo? zone = null;
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out zone))
        {
            issues.Add($"{path}.timeZone", Rules.TimeZone, "is not a time zone this system knows (use an IANA name such as Europe/Berlin or UTC)", timeZone);
        }

        if (durationMinutes is < 1 or > MaxDurationMinutes)
        {
            issues.Add($"{path}.durationMinutes", Rules.Range, $"must be between 1 and {MaxDurationMinutes} minutes", durationMinutes.ToString(CultureInfo.InvariantCulture));
        }

        if (cutoffMinutes < 0 || cutoffMinutes >= durationMinutes)
        {
            issues.Add($"{path}.cutoffMinutes", Rules.Range, "must be at least 0 and shorter than the window's duration (no update could ever start otherwise)", cutoffMinutes.ToString(CultureInfo.InvariantCulture));
        }

        CronExpression? cron = null;
        Func<int, bool> year = _ => true;
        TimeSpan? rate = null;
        DateTime? at = null;
        var schedulePath = $"{path}.schedule";
        if (CronForm().Match(expression) is { Success: true } c)
        {
            (cron, year) = ParseCron(c.Groups[1].Value, schedulePath, issues);
        }
        else if (RateForm().Match(expression) is { Success: true } r)
        {
            rate = ParseRate(r, schedulePath, issues);
            if (anchor is null)
            {
                issues.Add($"{path}.anchor", Rules.Required, "is required with a rate(...) schedule: the instant the first window opens");
            }
        }
        else if (AtForm().Match(expression) is { Success: true } a
            && DateTime.TryParseExact(a.Groups[1].Value, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
        {
            at = local;
        }
        else
        {
            issues.Add(schedulePath, Rules.Pattern, "must be cron(minutes hours day-of-month month day-of-week year), rate(value unit) or at(yyyy-mm-ddThh:mm:ss), as EventBridge Scheduler accepts them", expression);
        }

        return issues.HasIssues || zone is null
            ? (null, issues.Issues)
            : (new WindowSchedule(expression, zone, TimeSpan.FromMinutes(durationMinutes), TimeSpan.FromMinutes(cutoffMinutes), anchor, cron, year, rate, at), []);
    }

    /// <summary>The windows that are open at <paramref name="from"/> or open later, in order (at most <paramref name="count"/>).</summary>
    public IReadOnlyList<MaintenanceWindow> Occurrences(DateTimeOffset from, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        var windows = new List<MaintenanceWindow>(count);
        var start = NextStart(from - Duration, inclusive: false);
        while (start is { } s && windows.Count < count)
        {
            if (s + Duration > from)
            {
                windows.Add(new MaintenanceWindow(s + Duration, Cutoff) { Start = s });
            }

            start = NextStart(s, inclusive: false);
        }

        return windows;
    }

    /// <summary>The window open at <paramref name="now"/>, if one is.</summary>
    public MaintenanceWindow? OpenAt(DateTimeOffset now) =>
        Occurrences(now, 1) is [var first] && first.Start <= now ? first : null;

    /// <summary>The next window in which an update may still start at or after <paramref name="now"/> (before its cutoff).</summary>
    public MaintenanceWindow? NextUsable(DateTimeOffset now) =>
        Occurrences(now, 2).FirstOrDefault(w => now <= w.LatestStart);

    private DateTimeOffset? NextStart(DateTimeOffset after, bool inclusive)
    {
        if (_at is { } at)
        {
            var once = new DateTimeOffset(at, Zone.GetUtcOffset(at));
            return once > after || (inclusive && once == after) ? once : null;
        }

        if (_rate is { } rate)
        {
            var anchor = Anchor!.Value;
            if (after < anchor)
            {
                return anchor;
            }

            var steps = (long)Math.Floor((after - anchor).Ticks / (double)rate.Ticks) + 1;
            return anchor + TimeSpan.FromTicks(rate.Ticks * steps);
        }

        var utc = after.UtcDateTime;
        for (var guard = 0; guard < 10_000; guard++)
        {
            var next = _cron!.GetNextOccurrence(utc, Zone, inclusive);
            if (next is not { } n)
            {
                return null;
            }

            if (_year(TimeZoneInfo.ConvertTimeFromUtc(n, Zone).Year))
            {
                return new DateTimeOffset(n, TimeSpan.Zero);
            }

            (utc, inclusive) = (n, false);
        }

        return null;
    }

    /// <summary>EventBridge's six fields to Cronos's five (day-of-week 1-7 → 0-6), and a filter for the year field.</summary>
    private static (CronExpression?, Func<int, bool>) ParseCron(string body, string path, IssueCollector issues)
    {
        var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            issues.Add(path, Rules.Pattern, $"a cron expression has six fields (minutes hours day-of-month month day-of-week year); this one has {fields.Length}", body);
            return (null, _ => true);
        }

        if ((fields[2] == "?") == (fields[4] == "?"))
        {
            issues.Add(path, Rules.Pattern, "exactly one of day-of-month and day-of-week must be '?', as EventBridge requires", body);
            return (null, _ => true);
        }

        var year = ParseYear(fields[5], path, issues);
        if (fields[4].Contains('/', StringComparison.Ordinal) || DayOfWeekNumber().Matches(fields[4]).Any(m => m.Value is not ("1" or "2" or "3" or "4" or "5" or "6" or "7")))
        {
            issues.Add(path, Rules.Range, "day-of-week is 1 (SUN) to 7 (SAT) or SUN-SAT, with , - * ? L and # as EventBridge allows", fields[4]);
            return (null, year);
        }

        var dayOfWeek = DayOfWeekNumber().Replace(fields[4], m => (int.Parse(m.Value, CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture));

        try
        {
            return (CronExpression.Parse(string.Join(' ', fields[0], fields[1], fields[2], fields[3], dayOfWeek), CronFormat.Standard), year);
        }
        catch (CronFormatException ex)
        {
            issues.Add(path, Rules.Pattern, "is not a valid cron expression: " + ex.Message, body);
            return (null, year);
        }
    }

    private static Func<int, bool> ParseYear(string field, string path, IssueCollector issues)
    {
        if (field == "*")
        {
            return _ => true;
        }

        var ranges = new List<(int From, int To)>();
        foreach (var part in field.Split(','))
        {
            var bounds = part.Split('-');
            if (bounds.Length is < 1 or > 2 || !bounds.All(b => int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1970 and <= 2199))
            {
                issues.Add(path, Rules.Pattern, "the year field is *, a year from 1970 to 2199, a range or a list of them", field);
                return _ => true;
            }

            var from = int.Parse(bounds[0], CultureInfo.InvariantCulture);
            ranges.Add((from, bounds.Length == 2 ? int.Parse(bounds[1], CultureInfo.InvariantCulture) : from));
        }

        return y => ranges.Any(r => y >= r.From && y <= r.To);
    }

    private static TimeSpan? ParseRate(Match rate, string path, IssueCollector issues)
    {
        var value = int.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = rate.Groups[2].Value;
        if (value < 1 || (value == 1) != !unit.EndsWith('s'))
        {
            issues.Add(path, Rules.Pattern, "rate(value unit) takes a positive value, with a singular unit for 1 (rate(1 day)) and a plural one otherwise (rate(7 days))", rate.Value);
            return null;
        }

        return unit.TrimEnd('s') switch
        {
            "minute" => TimeSpan.FromMinutes(value),
            "hour" => TimeSpan.FromHours(value),
            _ => TimeSpan.FromDays(value),
        };
    }

    [GeneratedRegex(@"^cron\((.+)\)$")]
    private static partial Regex CronForm();

    [GeneratedRegex(@"^rate\(([0-9]{1,6}) (minutes?|hours?|days?)\)$")]
    private static partial Regex RateForm();

    [GeneratedRegex(@"^at\(([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2})\)$")]
    private static partial Regex AtForm();

    /// <summary>A day-of-week number, not the count after '#' (6#3 is the third Friday: only the 6 is a day).</summary>
    [GeneratedRegex(@"(?<![#0-9])[0-9]+")]
    private static partial Regex DayOfWeekNumber();
}
