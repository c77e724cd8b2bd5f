#include "sluice/timespan.h"

#include <QtNumeric>

#include <limits>

namespace sluice {

namespace {

struct Unit
{
    const char16_t *name;
    quint64 usec;
};

constexpr quint64 Sec = 1000000ULL;
// systemd's own constants (time-util.h): a month is 30.44 days (2629800 s), a year 365.25 days.
// Longer names first so the longest unit wins ("ms" before "m", "min" before "m").
constexpr Unit Units[] = {
    {u"seconds", Sec},
    {u"second", Sec},
    {u"minutes", 60 * Sec},
    {u"minute", 60 * Sec},
    {u"months", 2629800 * Sec},
    {u"month", 2629800 * Sec},
    {u"hours", 3600 * Sec},
    {u"hour", 3600 * Sec},
    {u"weeks", 604800 * Sec},
    {u"week", 604800 * Sec},
    {u"years", 31557600 * Sec},
    {u"year", 31557600 * Sec},
    {u"days", 86400 * Sec},
    {u"day", 86400 * Sec},
    {u"usec", 1},
    {u"msec", 1000},
    {u"min", 60 * Sec},
    {u"sec", Sec},
    {u"us", 1},
    {u"\u00b5s", 1},
    {u"\u03bcs", 1},
    {u"ms", 1000},
    {u"hr", 3600 * Sec},
    {u"s", Sec},
    {u"m", 60 * Sec},
    {u"h", 3600 * Sec},
    {u"d", 86400 * Sec},
    {u"w", 604800 * Sec},
    {u"M", 2629800 * Sec},
    {u"y", 31557600 * Sec},
};

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// Matches the longest unit at the start of s that is followed by the end, a space or a digit.
const Unit *matchUnit(QStringView s, qsizetype *length)
{
    for (const Unit &u : Units) {
        const QStringView name(u.name);
        if (!s.startsWith(name))
            continue;
        if (s.size() > name.size() && !s.at(name.size()).isSpace() && !isDigit(s.at(name.size())))
            continue;
        *length = name.size();
        return &u;
    }
    return nullptr;
}

} // namespace

std::optional<qint64> parseSystemdTimespanUs(QStringView text)
{
    const QStringView s = text.trimmed();
    if (s.isEmpty() || s == u"infinity")
        return std::nullopt;

    quint64 total = 0;
    qsizetype i = 0;
    while (i < s.size()) {
        // number: digits, optionally "." and more digits (at least one digit in all)
        quint64 whole = 0;
        qsizetype digits = 0;
        while (i < s.size() && isDigit(s.at(i))) {
            if (qMulOverflow(whole, quint64(10), &whole) ||
                qAddOverflow(whole, quint64(s.at(i).unicode() - '0'), &whole))
                return std::nullopt;
            ++i;
            ++digits;
        }
        quint64 frac = 0;
        quint64 fracScale = 1;
        if (i < s.size() && s.at(i) == QLatin1Char('.')) {
            ++i;
            while (i < s.size() && isDigit(s.at(i))) {
                if (fracScale < 1000000000ULL) { // more than 9 digits cannot matter at 1 us
                    frac = frac * 10 + quint64(s.at(i).unicode() - '0');
                    fracScale *= 10;
                }
                ++i;
                ++digits;
            }
        }
        if (digits == 0)
            return std::nullopt;
        while (i < s.size() && s.at(i).isSpace())
            ++i;

        quint64 unit = Sec; // a bare number is seconds
        qsizetype unitLength = 0;
        if (i < s.size() && !isDigit(s.at(i))) {
            const Unit *u = matchUnit(s.mid(i), &unitLength);
            if (!u)
                return std::nullopt;
            unit = u->usec;
            i += unitLength;
        }
        quint64 part = 0;
        if (qMulOverflow(whole, unit, &part))
            return std::nullopt;
        // frac/fracScale of a unit; split to avoid overflowing frac*unit
        const quint64 fracPart =
            frac == 0 ? 0 : (unit / fracScale) * frac + ((unit % fracScale) * frac) / fracScale;
        if (qAddOverflow(part, fracPart, &part) || qAddOverflow(total, part, &total))
            return std::nullopt;
        while (i < s.size() && s.at(i).isSpace())
            ++i;
    }
    if (total == 0 || total > quint64(std::numeric_limits<qint64>::max()))
        return std::nullopt;
    return qint64(total);
}

std::optional<qint64> parseTimeoutStopUSec(QStringView systemctlShowOutput)
{
    static constexpr QStringView Key = u"TimeoutStopUSec=";
    qsizetype from = 0;
    while (from <= systemctlShowOutput.size()) {
        qsizetype end = systemctlShowOutput.indexOf(QLatin1Char('\n'), from);
        if (end < 0)
            end = systemctlShowOutput.size();
        const QStringView line = systemctlShowOutput.mid(from, end - from).trimmed();
        if (line.startsWith(Key))
            return parseSystemdTimespanUs(line.mid(Key.size()));
        from = end + 1;
    }
    return std::nullopt;
}

} // namespace sluice
