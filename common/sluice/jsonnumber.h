#pragma once
#include <QJsonValue>
#include <QMetaType>
#include <QString>
#include <QVariant>
#include <QtGlobal>

#include <cmath>
#include <limits>
#include <optional>

namespace sluice {

// Casting a double that is NaN, infinite or outside the target's range to an integer is
// undefined behaviour; every JSON number read into an integer goes through these.

// The whole number d as an integer in [min, max]; nullopt when d is NaN, infinite,
// fractional or out of range.
inline std::optional<qint64> doubleToInteger(double d,
                                             qint64 min = std::numeric_limits<qint64>::min(),
                                             qint64 max = std::numeric_limits<qint64>::max())
{
    // -2^63 and 2^63 are exact doubles; INT64_MAX is not (it rounds up to 2^63).
    constexpr double Limit = 9223372036854775808.0;
    if (!(d >= -Limit && d < Limit) || std::trunc(d) != d)
        return std::nullopt;
    const qint64 v = qint64(d);
    if (v < min || v > max)
        return std::nullopt;
    return v;
}

// A JSON number (or, with allowString, a numeric string such as "4242") as an integer in
// [min, max]; nullopt for anything else.
inline std::optional<qint64> jsonInteger(const QJsonValue &v,
                                         qint64 min = std::numeric_limits<qint64>::min(),
                                         qint64 max = std::numeric_limits<qint64>::max(),
                                         bool allowString = false)
{
    if (v.isDouble()) {
        // Qt keeps whole numbers that fit as 64-bit integers: read those exactly, since
        // toDouble() rounds above 2^53.
        const QVariant exact = v.toVariant();
        if (exact.typeId() == QMetaType::LongLong) {
            const qint64 n = exact.toLongLong();
            if (n < min || n > max)
                return std::nullopt;
            return n;
        }
        return doubleToInteger(v.toDouble(), min, max);
    }
    if (allowString && v.isString()) {
        bool ok = false;
        const qint64 n = v.toString().trimmed().toLongLong(&ok);
        if (!ok || n < min || n > max)
            return std::nullopt;
        return n;
    }
    return std::nullopt;
}

// Process ids: no platform has ids above 2^32 - 1, and casting a larger one to pid_t
// would name another process.
inline constexpr qint64 MaxPid = std::numeric_limits<quint32>::max();

} // namespace sluice
