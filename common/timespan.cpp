#include "sluice/timespan.h"

#include <limits>

namespace sluice {

namespace {

struct Unit
{
    const char16_t *name;
    quint64 usec;
};

constexpr quint64 Sec = 1000000ULL;
constexpr quint64 Infinity = std::numeric_limits<quint64>::max();
// systemd's table (time-util.c extract_multiplier()) in its order: the first prefix that
// matches wins, which is also the longest. A month is 30.44 days, a year 365.25 days.
constexpr Unit Units[] = {
    {u"seconds", Sec},
    {u"second", Sec},
    {u"sec", Sec},
    {u"s", Sec},
    {u"minutes", 60 * Sec},
    {u"minute", 60 * Sec},
    {u"min", 60 * Sec},
    {u"months", 2629800 * Sec},
    {u"month", 2629800 * Sec},
    {u"M", 2629800 * Sec},
    {u"msec", 1000},
    {u"ms", 1000},
    {u"m", 60 * Sec},
    {u"hours", 3600 * Sec},
    {u"hour", 3600 * Sec},
    {u"hr", 3600 * Sec},
    {u"h", 3600 * Sec},
    {u"days", 86400 * Sec},
    {u"day", 86400 * Sec},
    {u"d", 86400 * Sec},
    {u"weeks", 604800 * Sec},
    {u"week", 604800 * Sec},
    {u"w", 604800 * Sec},
    {u"years", 31557600 * Sec},
    {u"year", 31557600 * Sec},
    {u"y", 31557600 * Sec},
    {u"usec", 1},
    {u"us", 1},
    {u"\u03bcs", 1}, // GREEK SMALL LETTER MU
    {u"\u00b5s", 1}, // MICRO SIGN
};

bool isDigit(QChar c)
{
    return c >= QLatin1Char('0') && c <= QLatin1Char('9');
}

// systemd's WHITESPACE: what it skips between and around the parts.
bool isSystemdSpace(QChar c)
{
    return c == QLatin1Char(' ') || c == QLatin1Char('\t') || c == QLatin1Char('\n') ||
           c == QLatin1Char('\r');
}

// What strtoll() skips in the C locale, which also takes \v and \f before a number.
bool isCSpace(QChar c)
{
    return isSystemdSpace(c) || c == QLatin1Char('\v') || c == QLatin1Char('\f');
}

} // namespace

// A transcription of systemd's parse_time(t, &usec, USEC_PER_SEC) (systemd 252), strtoll()
// included: its quirks ("+1s", ".5s", "1s.5", "\v5") are what `systemd-analyze timespan`
// accepts, so they are kept.
bool parseSystemdTimespanExact(QStringView s, quint64 *usec)
{
    const qsizetype n = s.size();
    auto skipSpaces = [&](qsizetype i) {
        while (i < n && isSystemdSpace(s.at(i)))
            ++i;
        return i;
    };

    qsizetype p = skipSpaces(0);
    if (s.mid(p).startsWith(u"infinity")) {
        if (skipSpaces(p + 8) != n)
            return false;
        *usec = Infinity;
        return true;
    }

    quint64 total = 0;
    bool something = false;
    for (;;) {
        p = skipSpaces(p);
        if (p == n) {
            if (!something)
                return false;
            break;
        }
        if (s.at(p) == QLatin1Char('-')) // "-0" too
            return false;

        // strtoll(p, &e, 10): C spaces, a sign, digits; e == p when nothing was converted.
        qsizetype q = p;
        while (q < n && isCSpace(s.at(q)))
            ++q;
        bool negative = false;
        if (q < n && (s.at(q) == QLatin1Char('+') || s.at(q) == QLatin1Char('-'))) {
            negative = s.at(q) == QLatin1Char('-');
            ++q;
        }
        qsizetype e = p;
        quint64 whole = 0;
        if (q < n && isDigit(s.at(q))) {
            constexpr quint64 Max = quint64(std::numeric_limits<qint64>::max());
            bool overflow = false; // strtoll's ERANGE; it still consumes every digit
            for (; q < n && isDigit(s.at(q)); ++q) {
                const quint64 digit = quint64(s.at(q).unicode() - '0');
                if (overflow || whole > (Max - digit) / 10)
                    overflow = true;
                else
                    whole = whole * 10 + digit;
            }
            if (overflow || (negative && whole != 0))
                return false;
            e = q;
        }

        const bool fraction = e < n && s.at(e) == QLatin1Char('.');
        if (fraction) {
            p = e + 1;
            while (p < n && isDigit(s.at(p)))
                ++p;
        } else if (e == p) {
            return false;
        } else {
            p = e;
        }

        quint64 multiplier = Sec; // a bare number is seconds
        qsizetype unitAt = skipSpaces(p);
        const QStringView rest = s.mid(unitAt);
        for (const Unit &u : Units) {
            const QStringView name(u.name);
            if (rest.startsWith(name)) {
                multiplier = u.usec;
                unitAt += name.size();
                break;
            }
        }
        // Neither a space nor a unit after the number: "12.34.56", "5x".
        if (unitAt == p && p < n)
            return false;
        p = unitAt;

        if (whole >= Infinity / multiplier)
            return false;
        quint64 k = whole * multiplier;
        if (k >= Infinity - total)
            return false;
        total += k;
        something = true;

        if (fraction) {
            // Digit by digit, each truncated to whole microseconds, as systemd does.
            quint64 m = multiplier / 10;
            qsizetype b = e + 1;
            for (; b < n && isDigit(s.at(b)); ++b, m /= 10) {
                k = quint64(s.at(b).unicode() - '0') * m;
                if (k >= Infinity - total)
                    return false;
                total += k;
            }
            if (b == e + 1) // "5.", "5.s", "3. 1"
                return false;
        }
    }
    *usec = total;
    return true;
}

std::optional<qint64> parseSystemdTimespanUs(QStringView text)
{
    quint64 usec = 0;
    if (!parseSystemdTimespanExact(text, &usec) || usec == 0 ||
        usec > quint64(std::numeric_limits<qint64>::max()))
        return std::nullopt;
    return qint64(usec);
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
