#pragma once
#include <QStringView>
#include <optional>

namespace sluice {

// systemd.time(7) time spans: "90s", "1min 30s", "1min30s", "2.5s", "5us", "5µs", "1M" (month)
// vs "1m" (minute), "1y", bare numbers = seconds. Units: usec us µs, msec ms, seconds second
// sec s, minutes minute min m, hours hour hr h, days day d, weeks week w, months month M,
// years year y. Returns microseconds; nullopt for empty input, unknown units, malformed
// input, zero and "infinity" — i.e. "no finite limit known".
std::optional<qint64> parseSystemdTimespanUs(QStringView text);

// Extracts and parses the value of a "TimeoutStopUSec=..." line in `systemctl show` output.
std::optional<qint64> parseTimeoutStopUSec(QStringView systemctlShowOutput);

} // namespace sluice
