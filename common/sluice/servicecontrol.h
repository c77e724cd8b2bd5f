#pragma once
#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>
#include <functional>

class QProcess;
class QTimer;

namespace sluice {

struct ServiceControlOptions
{
    QStringList sluicedArguments; // extra options for a detached start
    bool keepDrain = false;       // Start: leave a leftover drain marker in place
    int timeoutMs = 120000;       // a manager command that has not finished by then fails
};

// Starts, stops and restarts the sluiced of one HOME the way an operator expects
// (docs/reference.md §9, §12): through the service manager when `sluicectl service install`
// put a definition for this HOME in place (`systemctl [--user] start|stop|restart`,
// `launchctl kickstart` / a planned stop with `launchctl kill`, the Windows task), so the
// manager's view stays true; otherwise Start runs `sluiced --home HOME` detached (the binary
// beside the calling program, else on PATH).
//
// Used by sluicectl (runAndWait) and the tray (run + finished, never blocking its GUI thread).
// Every message is a plain sentence of ours; Qt's internal error strings never reach a person.
class ServiceControl : public QObject
{
    Q_OBJECT
public:
    enum class Manager {
        None,
        SystemdUser,
        SystemdSystem,
        LaunchdAgent,
        LaunchdDaemon,
        WindowsTask
    };
    enum class Action { Start, Stop, Restart };

    struct Unit
    {
        Manager manager = Manager::None;
        QString name; // sluiced.service, io.sluice.sluiced, Sluice\sluiced
        QString path; // the definition file
        bool installed() const { return manager != Manager::None; }
        QJsonObject toJson() const; // {manager, name, path} or {manager:"none"}
    };

    // What Start found and did about a drain marker left from before the last stop.
    struct ClearedDrain
    {
        bool cleared = false;
        QString principal;
        double ageS = -1; // -1: unknown
    };

    struct Result
    {
        bool ok = false;
        Action action = Action::Start;
        Manager via = Manager::None;
        bool alreadyRunning = false; // Start: a live sluiced already serves this HOME
        bool notApplicable = false;  // Stop/Restart without a manager: ask the service itself
        qint64 pid = -1;             // detached Start: the new process
        QStringList command;         // what was run (argv); empty for a detached start
        QString message;             // one sentence for a person, success or failure
        ClearedDrain drain;
        QJsonObject toJson() const;
    };

    using Options = ServiceControlOptions;

    explicit ServiceControl(const QString &home, QObject *parent = nullptr);
    ~ServiceControl() override;

    QString home() const { return m_home; }

    // What is installed for this HOME: a systemd user unit, else a system unit, a launchd
    // agent or daemon, or the Windows task, whose definition names this HOME. Files only.
    static Unit detect(const QString &home);
    static QString managerName(Manager m); // "none", "systemd-user", "systemd-system", ...
    static QString actionName(Action a);   // "start", "stop", "restart"
    // The manager's command for an action; empty for Manager::None and for actions the
    // manager takes through a marker (launchd/Windows stop and restart: see run()).
    static QStringList managerCommand(const Unit &unit, Action action);
    // The unit's state query (systemctl is-active, launchctl print, schtasks /Query).
    static QStringList stateCommand(const Unit &unit);
    // sluiced beside the calling program, else on PATH; empty when there is none.
    static QString findSluiced();

    // Asynchronous: emits finished() exactly once (possibly before run() returns for a result
    // known at once). One action at a time: a second run() while busy fails at once.
    void run(Action action, const Options &options = Options());
    bool isBusy() const { return m_process != nullptr; }
    // For a command line: runs the event loop until the action has finished.
    Result runAndWait(Action action, const Options &options = Options());

    // The manager's word on the unit: "active", "inactive", "failed", "activating", ...,
    // "unknown" when it cannot be asked (also while an action of this object runs: one process
    // at a time). Asynchronous (stateKnown) and blocking variants.
    void queryState();
    QString queryStateAndWait(int timeoutMs = 5000);

Q_SIGNALS:
    void finished(const sluice::ServiceControl::Result &result);
    void stateKnown(const QString &state);

private:
    struct Outcome
    {
        bool started = false;
        bool timedOut = false;
        int exitCode = -1;
        QString output; // stdout + stderr, trimmed
    };
    using Callback = std::function<void(const Outcome &)>;
    void exec(const QStringList &argv, int timeoutMs, Callback done);
    void finish(Result result);
    void startDetached(Result result, const Options &options);
    bool writePlannedStop(bool restart, QString *why) const;
    static QString toolPath(const QString &name);
    static QString describeFailure(const QStringList &argv, const Outcome &o);

    QString m_home;
    QProcess *m_process = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace sluice

Q_DECLARE_METATYPE(sluice::ServiceControl::Result)
