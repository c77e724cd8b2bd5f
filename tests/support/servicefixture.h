#pragma once
#include "sluice/ipcclient.h"
#include "sluice/runtimestatus.h"

#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <functional>
#include <memory>

namespace sluice::test {

// Runs the real sluiced (from SLUICE_BIN_DIR) with a temporary HOME, a short socket path and
// HTTP on a free port, and drives it. All waits are condition waits with generous limits
// that spin the event loop; none is a fixed sleep.
class ServiceFixture : public QObject
{
    Q_OBJECT
public:
    explicit ServiceFixture(QObject *parent = nullptr);
    ~ServiceFixture() override; // kills a still-running service (and its process group)

    static QString binDir();                    // SLUICE_BIN_DIR
    static QString binary(const QString &name); // binDir()/name

    QString home() const;       // the temporary HOME (kept across restarts of the service)
    QString socketPath() const; // the --socket passed to sluiced
    void setSocketPath(const QString &path) { m_socket = path; } // before start()
    // A HOME the test prepared (e.g. on a small file system it mounted); before start().
    void setHome(const QString &path) { m_homeOverride = path; }

    // The --http-port the fixture passes: any free port.
    static constexpr const char *HttpPortArg = "0";

    // Starts sluiced --home HOME --socket SOCK --http-port HttpPortArg plus extraArgs, and waits
    // until gateway_state.json says `running` (or `draining`, if expectState says so). Returns
    // false (with QTest warnings) when it does not get there in time.
    bool start(const QStringList &extraArgs = {},
               const QString &expectState = QStringLiteral("running"), int timeoutMs = 30000);
    QProcess *process() { return m_process.get(); }
    qint64 pid() const;

    RuntimeStatus readState() const; // gateway_state.json, defaults when missing
    bool waitForState(const QString &state, int timeoutMs = 20000);
    static bool waitFor(const std::function<bool()> &condition, int timeoutMs = 20000);
    // Waits for the service process to exit; its exit code, or -1 on timeout / crash.
    int waitForExit(int timeoutMs = 60000);
    void sendSignal(int signalNumber);

    // Writes an executable `sh` script into a temporary folder and returns its path, for
    // --agent-command.
    QString writeAgentScript(const QString &name, const QString &body);

    // Synchronous request over a fresh or the shared IpcClient (spins a local event loop).
    IpcReply call(const QString &cmd, const QJsonObject &args = {}, int timeoutMs = 15000);
    IpcClient *client(); // connected shared client (connects on first use)

    // A new, connected client the caller owns (nullptr when it cannot connect in time).
    std::unique_ptr<IpcClient> newClient(int timeoutMs = 10000);
    // Synchronous request over a given client.
    static IpcReply callOn(IpcClient *client, const QString &cmd, const QJsonObject &args = {},
                           int timeoutMs = 15000);
    QString stderrPath() const; // where sluiced's stderr goes (a file: never a full pipe)
    QString logText() const;    // HOME/logs/sluiced.log
    QString scriptsDir() const; // folder of writeAgentScript() files, free for test files
    // HTTP: the bound port from gateway_state.json (-1 when off)
    // and HOME/control.token with its trimmed content.
    int httpPort() const;
    QString tokenPath() const;
    QByteArray token() const;
    // Waits until turn `turnId` has a final state; returns its `turn` reply (empty on timeout).
    QJsonObject waitForTurn(const QString &turnId, int timeoutMs = 20000);
    // Kills the service (SIGKILL) and every process tree it started; waits until gone; removes
    // the cgroups it could not remove itself.
    void killAll();
    // Linux: the cgroup a sluiced started by a test makes for itself (sluiced-<pid> below the
    // test's own cgroup); empty elsewhere. Exists only while that sluiced runs in cgroup mode.
    static QString cgroupOf(qint64 servicePid);

private:
    static void removeCgroupsOf(qint64 servicePid);

    QTemporaryDir m_home;
    QString m_homeOverride;
    QTemporaryDir m_scripts;
    QTemporaryDir m_run; // short private folder for the socket
    QString m_socket;
    QList<qint64> m_pids;       // every sluiced pid started by this fixture
    QList<qint64> m_startTimes; // their OS start times (a reused pid is never killed)
    std::unique_ptr<QProcess> m_process;
    std::unique_ptr<IpcClient> m_client;
};

} // namespace sluice::test
