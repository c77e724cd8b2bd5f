#pragma once
#include <QJsonObject>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

class QTimer;

namespace sluice {

// The service-manager alignment check of docs/reference.md §8. Under systemd it reads the unit's
// stop timeout with `systemctl show -p TimeoutStopUSec` (asynchronously, with a time limit) and
// compares it with the stop budget (drain timeout + interrupt grace + 30 s).
//
// Which unit: $SLUICE_SYSTEMD_UNIT, else the `*.service` named in
// /proc/self/cgroup (a `user@` in that path means the user manager), else `sluiced.service` of
// the user manager. Which systemctl: $SLUICE_SYSTEMCTL, else `systemctl` from PATH.
// "Under systemd" = INVOCATION_ID is set.
//
// The result is the status `supervisor` object:
//   {manager:"systemd"|"none", checked, aligned, unit, user, timeout_stop_us, required_us,
//    message}
// aligned is true when not checked (nothing known to be wrong) and when the timeout is
// infinite; false only when a finite timeout is shorter than the budget.
class SupervisorAlignment : public QObject
{
    Q_OBJECT
public:
    SupervisorAlignment(double drainTimeoutS, double interruptGraceS, QObject *parent = nullptr);

    static bool underSystemd();
    void setTimeLimitMs(int ms) { m_timeLimitMs = ms; }

    // Starts the check; finished() follows (also when not under systemd, queued).
    void start();
    QJsonObject result() const { return m_result; }

    // Pure parts, exposed for tests.
    struct UnitRef
    {
        QString unit;
        bool userManager = true;
    };
    static UnitRef unitFromCgroup(const QByteArray &procSelfCgroup);
    static QJsonObject evaluate(const QString &unit, bool userManager, qint64 requiredUs,
                                const QString &systemctlOutput);

Q_SIGNALS:
    void finished(const QJsonObject &supervisor);

private:
    void finish(const QJsonObject &result);
    void onProcessFinished();

    qint64 m_requiredUs;
    QString m_unit;
    bool m_userManager = true;
    int m_timeLimitMs = 5000;
    QProcess *m_process = nullptr;
    QTimer *m_timer = nullptr;
    QJsonObject m_result;
    bool m_done = false;
};

} // namespace sluice
