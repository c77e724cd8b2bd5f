#include "lifecycle/stopwatchdog.h"

#include <chrono>
#include <cstdlib>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace sluice {

StopWatchdog::~StopWatchdog()
{
    disarm();
}

void StopWatchdog::arm(qint64 ms, std::function<void()> onFire, int exitCode)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_armed)
        return; // armed once per stop
    m_armed = true;
    m_disarmed = false;
    m_onFire = std::move(onFire);
    m_thread = std::thread([this, ms, exitCode] { run(ms, exitCode); });
}

void StopWatchdog::disarm()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_disarmed = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable() && m_thread.get_id() != std::this_thread::get_id())
        m_thread.join();
}

bool StopWatchdog::isArmed() const
{
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_armed && !m_disarmed;
}

void StopWatchdog::run(qint64 ms, int exitCode)
{
    std::function<void()> onFire;
    {
        std::unique_lock<std::mutex> lock(m_mutex);
        if (m_cv.wait_for(lock, std::chrono::milliseconds(ms), [this] { return m_disarmed; }))
            return;
        onFire = m_onFire;
    }
    if (onFire)
        onFire();
#ifdef Q_OS_UNIX
    ::_exit(exitCode); // no destructors, no atexit: the main thread may be stuck anywhere
#else
    std::_Exit(exitCode);
#endif
}

} // namespace sluice
