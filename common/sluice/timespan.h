#pragma once
#include <QStringView>
#include <QtGlobal>
#include <optional>

namespace sluice {

// systemd.time(7) time spans, with the grammar of `systemd-analyze timespan` (systemd's
// parse_sec()): "90s", "1min 30s", "1min30s", "2.5s", ".5s", "+1s", "5us", "5µs", "1M" (month)
// vs "1m" (minute), "1y", bare numbers = seconds; "5." and "5.s" are refused. Units: usec us
// µs, msec ms, seconds second sec s, minutes minute min m, hours hour hr h, days day d, weeks
// week w, months month M, years year y.
// True with *usec when systemd accepts text; "infinity" gives UINT64_MAX.
bool parseSystemdTimespanExact(QStringView text, quint64 *usec);

// Microseconds; nullopt for what systemd refuses, and for zero, "infinity" and values over
// INT64_MAX — i.e. "no finite limit known".
std::optional<qint64> parseSystemdTimespanUs(QStringView text);

// Extracts and parses the value of a "TimeoutStopUSec=..." line in `systemctl show` output.
std::optional<qint64> parseTimeoutStopUSec(QStringView systemctlShowOutput);

} // namespace sluice
