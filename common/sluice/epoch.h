#pragma once
#include <QByteArray>
#include <QString>
#include <functional>

namespace sluice {

// The identity of this machine/container instantiation (docs/reference.md §4): stable across
// service restarts, different after a reboot or a container re-creation. Linux: kernel boot_id +
// the start time of PID 1. Empty when it cannot be determined.
class InstantiationEpoch
{
public:
    // Where the raw facts come from; tests inject their own to simulate no /proc,
    // a new boot or a new PID 1. A reader returns an empty array when the fact is missing.
    struct Source
    {
        std::function<QByteArray()> bootId;   // content of /proc/sys/kernel/random/boot_id
        std::function<QByteArray()> pid1Stat; // content of /proc/1/stat
    };
    static Source systemSource();

    // Pure: derives the epoch from a source. Empty when neither fact is available.
    static QString compute(const Source &source);

    // Computed once per process from systemSource() (or the override).
    static QString current();
    // Test hook: replace the value current() returns (affects this process only).
    static void overrideCurrentForTesting(const QString &epoch);
};

} // namespace sluice
