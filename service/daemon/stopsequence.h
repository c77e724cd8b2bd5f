#pragma once
#include <QObject>
#include <QString>

namespace sluice {

// Why the service stops (CONTRACT §3, §6). Decided once: the first request wins.
enum class StopCause { Planned, UnexpectedSignal, Restart, ForceRestart };

struct StopRequest
{
    StopCause cause = StopCause::Planned;
    QString source;    // "ipc", "http", "signal", "planned_marker", "internal", ...
    QString principal; // who asked, when known
    int signalNum = 0; // the signal, for UnexpectedSignal and signal-triggered planned stops

    bool isRestart() const
    {
        return cause == StopCause::Restart || cause == StopCause::ForceRestart;
    }
    static QString causeName(StopCause cause); // planned, unexpected_signal, restart, force_restart
};

class ServiceApp;

// The stop sequence: ONE object runs every stop, whatever its source. The Gateway has already
// moved to `stopping` and closed the gate when run() is called, exactly once per process.
// The sequence ends by calling ServiceApp::finishStop(exitCode) (final state, release, exit).
// MinimalStopSequence is the default; the lifecycle part installs the full §6 sequence with
// ServiceApp::setStopSequence() before the service accepts any request.
class StopSequence : public QObject
{
    Q_OBJECT
public:
    explicit StopSequence(QObject *parent = nullptr)
        : QObject(parent)
    {}
    ~StopSequence() override = default;
    virtual void run(const StopRequest &request) = 0;
};

// The minimal stop: interrupt every running turn (SIGTERM to each tree, SIGKILL after the
// grace), then write the final state and exit (0; a restart exits 75 when supervised, else it
// starts a replacement and exits 0).
class MinimalStopSequence : public StopSequence
{
    Q_OBJECT
public:
    explicit MinimalStopSequence(ServiceApp *app, QObject *parent = nullptr);
    void run(const StopRequest &request) override;

private:
    void finish();
    ServiceApp *m_app;
    StopRequest m_request;
    bool m_finished = false;
};

} // namespace sluice
