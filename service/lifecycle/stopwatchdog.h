#pragma once
#include <QtGlobal>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice {

// Cuts a hung stop short (docs/reference.md §6): armed at `begin` for the stop budget
// (supervisor/stopbudget.h). It runs on its own thread, so it fires even when the event loop is
// stuck. On fire it calls the handler (record forensics and "watchdog" in last-shutdown.json and
// the log; runs on the watchdog thread) and then _exit()s with the given non-zero code at once.
class StopWatchdog
{
public:
    StopWatchdog() = default;
    ~StopWatchdog(); // disarms
    StopWatchdog(const StopWatchdog &) = delete;
    StopWatchdog &operator=(const StopWatchdog &) = delete;

    // exitCode: what the process exits with when it fires (stopOutcome(…, WatchdogFired)).
    void arm(qint64 ms, std::function<void()> onFire, int exitCode);
    void disarm();
    bool isArmed() const;

private:
    void run(qint64 ms, int exitCode);

    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::thread m_thread;
    std::function<void()> m_onFire;
    bool m_disarmed = false;
    bool m_armed = false;
};

} // namespace sluice
