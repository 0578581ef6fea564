// A calendar date and time of day as the real-time clock keeps it, with the day arithmetic it needs.

/// A proleptic Gregorian date and time of day, to the second, in whatever zone the RTC is kept
/// (PCs traditionally keep local time; Linux guests often expect UTC).
public struct RTCDateTime: Hashable, Sendable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Traps on a date the clock cannot hold (year outside 0...9999, or a field out of range).
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        precondition((0...9999).contains(year) && (1...12).contains(month)
                     && (1...Self.daysInMonth(year: year, month: month)).contains(day)
                     && (0...23).contains(hour) && (0...59).contains(minute) && (0...59).contains(second),
                     "invalid RTC date \(year)-\(month)-\(day) \(hour):\(minute):\(second)")
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// Day of the week as the MC146818 counts it: 1 = Sunday ... 7 = Saturday.
    public var dayOfWeek: Int {
        // Day 0 of `daysSinceEpoch` (1970-01-01) was a Thursday (5).
        let d = Self.daysSinceEpoch(year: year, month: month, day: day)
        return Int(((d % 7) + 7 + 4) % 7) + 1
    }

    public var secondsOfDay: Int { hour * 3600 + minute * 60 + second }

    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(two(month))-\(two(day)) \(two(hour)):\(two(minute)):\(two(second))"
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to the given date (negative before it). Counts whole 400-year eras of
    /// 146097 days, then years of the era with March as the first month so the leap day is last.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysSinceEpoch`.
    static func date(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    /// Seconds since 1970-01-01 00:00:00 in the clock's own zone.
    var secondsSinceEpoch: Int64 {
        Self.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + Int64(secondsOfDay)
    }

    init(secondsSinceEpoch s: Int64) {
        let days = s >= 0 ? s / 86_400 : (s - 86_399) / 86_400
        let rest = Int(s - days * 86_400)
        let d = Self.date(daysSinceEpoch: days)
        self.init(year: d.year, month: d.month, day: d.day,
                  hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60)
    }
}
