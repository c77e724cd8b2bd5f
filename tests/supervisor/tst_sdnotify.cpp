// systemd integration of the real sluiced: the notify protocol on a test datagram socket (path
// and abstract), EXTEND_TIMEOUT_USEC during a long drain, WATCHDOG=1, and the stop-timeout
// alignment check against a fake systemctl.
#include "notifyreceiver.h"
#include "testhelpers.h"

#include "supervisor/stopbudget.h"
#include "supervisor/supervisoralignment.h"
#include "supervisor/systemdnotifier.h"

#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QtTest>

#include <cstddef>
#include <cstring>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace sluice;
using namespace sluice::test;

namespace {
// The status field `supervisor` once the service has run its alignment check (empty on time-out).
QJsonObject checkedSupervisor(ServiceFixture &f)
{
    QJsonObject supervisor;
    const bool checked = ServiceFixture::waitFor([&] {
        supervisor =
            f.call(QStringLiteral("status")).body.value(QStringLiteral("supervisor")).toObject();
        return supervisor.value(QStringLiteral("checked")).toBool();
    });
    return checked ? supervisor : QJsonObject();
}
} // namespace

class TstSdNotify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();
    void readyStatusStopping_data();
    void readyStatusStopping();
    void extendTimeoutDuringLongDrain();
    void notAlignedWithShortStopTimeout();
    void alignedWithLongStopTimeout();
    void alignmentParsing();
    void notifierUnit();
};

void TstSdNotify::cleanup()
{
    for (const char *v :
         {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "INVOCATION_ID", "SLUICE_SYSTEMCTL"})
        qunsetenv(v);
}

void TstSdNotify::readyStatusStopping_data()
{
    QTest::addColumn<bool>("abstract");
    QTest::newRow("path") << false;
    QTest::newRow("abstract") << true;
}

void TstSdNotify::readyStatusStopping()
{
    QFETCH(bool, abstract);
    QTemporaryDir dir;
    const QByteArray address =
        abstract
            ? "@sluice-test-" + QByteArray::number(QRandomGenerator::global()->generate64(), 16)
            : (dir.path() + QStringLiteral("/notify")).toUtf8();
    NotifyReceiver rx(address);
    QVERIFY(rx.bound());

    ServiceFixture f;
    qputenv("NOTIFY_SOCKET", address);
    qputenv("WATCHDOG_USEC", "300000"); // 0.3 s: pings every 0.15 s
    const bool started = f.start({QStringLiteral("--agent-command"), blockingAgent(f)});
    cleanup();
    QVERIFY(started);
    QTRY_VERIFY_WITH_TIMEOUT(rx.indexOf("READY=1") >= 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(rx.indexOf("STATUS=running, 0 active") >= 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(rx.count("WATCHDOG=1") >= 3, 15000);

    // STATUS follows the active count.
    QVERIFY(f.call(QStringLiteral("send"), {{QStringLiteral("session"), QStringLiteral("a")},
                                            {QStringLiteral("text"), QStringLiteral("hi")}})
                .ok);
    QTRY_VERIFY_WITH_TIMEOUT(rx.indexOf("STATUS=running, 1 active") >= 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(
        rx.indexOf("STATUS=running, 0 active", rx.indexOf("STATUS=running, 1 active")) >= 0, 15000);

    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QVERIFY(f.waitForExit(30000) == 0);
    QTRY_VERIFY_WITH_TIMEOUT(rx.indexOf("STOPPING=1") >= 0, 5000);
    const int ready = rx.indexOf("READY=1");
    const int status = rx.indexOf("STATUS=", ready);
    const int stopping = rx.indexOf("STOPPING=1");
    QVERIFY2(ready >= 0 && status > ready && stopping > status, rx.lines().join(" | ").constData());
    QCOMPARE(rx.count("READY=1"), 1);
    QVERIFY(rx.indexOf("STATUS=stopping") > ready);
}

void TstSdNotify::extendTimeoutDuringLongDrain()
{
    QTemporaryDir dir;
    const QByteArray address = (dir.path() + QStringLiteral("/notify")).toUtf8();
    NotifyReceiver rx(address);
    QVERIFY(rx.bound());
    ServiceFixture f;
    qputenv("NOTIFY_SOCKET", address);
    const bool started = f.start({QStringLiteral("--agent-command"), blockingAgent(f),
                                  QStringLiteral("--drain-timeout"), QStringLiteral("20")});
    cleanup();
    QVERIFY(started);
    QVERIFY(f.call(QStringLiteral("send"), {{QStringLiteral("session"), QStringLiteral("long")},
                                            {QStringLiteral("text"), QStringLiteral("block")}})
                .ok);
    QVERIFY(ServiceFixture::waitFor([&] { return f.readState().activeAgents == 1; }));
    QVERIFY(f.call(QStringLiteral("stop")).ok);
    QTRY_VERIFY_WITH_TIMEOUT(rx.indexOf("EXTEND_TIMEOUT_USEC=") >= 0, 10000);
    const QByteArray first = rx.lines().value(rx.indexOf("EXTEND_TIMEOUT_USEC="));
    const qint64 us = first.mid(int(qstrlen("EXTEND_TIMEOUT_USEC="))).toLongLong();
    QVERIFY2(us > 50 * 1000000LL && us <= StopBudget::microseconds(20, 5), first.constData());
    QVERIFY(rx.indexOf("STOPPING=1") < rx.indexOf("EXTEND_TIMEOUT_USEC="));
    // Re-sent while the drain goes on (at least every half of the extension; here every 5 s).
    QTRY_VERIFY_WITH_TIMEOUT(rx.count("EXTEND_TIMEOUT_USEC=") >= 2, 12000);
    QCOMPARE(f.readState().state, GatewayState::Stopping);
    release(f);
    QCOMPARE(f.waitForExit(30000), 0);
}

void TstSdNotify::notAlignedWithShortStopTimeout()
{
    QTemporaryDir tools;
    const QString fake = tools.path() + QStringLiteral("/systemctl");
    QFile script(fake);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(
        "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/calls\"\necho 'TimeoutStopUSec=1min 30s'\n");
    script.close();
    QFile::setPermissions(fake,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);

    ServiceFixture f;
    const QByteArray oldPath = qgetenv("PATH");
    qputenv("PATH", tools.path().toUtf8() + ':' + oldPath);
    qputenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef");
    const bool started = f.start({QStringLiteral("--drain-timeout"), QStringLiteral("120")});
    qputenv("PATH", oldPath);
    cleanup();
    QVERIFY(started);
    const QJsonObject supervisor = checkedSupervisor(f);
    QVERIFY(!supervisor.isEmpty());
    QCOMPARE(supervisor.value(QStringLiteral("manager")).toString(), QStringLiteral("systemd"));
    QCOMPARE(supervisor.value(QStringLiteral("aligned")).toBool(true), false);
    QCOMPARE(supervisor.value(QStringLiteral("timeout_stop_us")).toInteger(), 90000000LL);
    QCOMPARE(supervisor.value(QStringLiteral("required_us")).toInteger(),
             StopBudget::microseconds(120, 5));
    QVERIFY(ServiceFixture::waitFor([&] {
        const QString log = f.logText();
        return log.contains(QStringLiteral("TimeoutStopSec=155")) &&
               log.contains(QStringLiteral("sluicectl service install --force"));
    }));
    QFile calls(tools.path() + QStringLiteral("/calls"));
    QVERIFY(calls.open(QIODevice::ReadOnly));
    QVERIFY(calls.readAll().contains("show -p TimeoutStopUSec"));
    // sluicectl shows it too: status text and a failing doctor check.
    const CtlResult doc = runCtl(
        {QStringLiteral("--home"), f.home(), QStringLiteral("--json"), QStringLiteral("doctor")});
    QCOMPARE(doc.exitCode, 1);
    QVERIFY(doc.out.contains("alignment"));
    const CtlResult st = runCtl({QStringLiteral("--home"), f.home(), QStringLiteral("status")});
    QCOMPARE(st.exitCode, 0);
    QVERIFY2(st.out.contains("NOT aligned"), st.out.constData());
}

void TstSdNotify::alignedWithLongStopTimeout()
{
    QTemporaryDir tools;
    const QString fake = tools.path() + QStringLiteral("/systemctl");
    QFile script(fake);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho 'TimeoutStopUSec=5min'\n");
    script.close();
    QFile::setPermissions(fake,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    ServiceFixture f;
    qputenv("SLUICE_SYSTEMCTL", fake.toUtf8()); // the documented override of the binary
    qputenv("INVOCATION_ID", "0123456789abcdef0123456789abcdef");
    const bool started = f.start({QStringLiteral("--drain-timeout"), QStringLiteral("120")});
    cleanup();
    QVERIFY(started);
    const QJsonObject supervisor = checkedSupervisor(f);
    QVERIFY(!supervisor.isEmpty());
    QCOMPARE(supervisor.value(QStringLiteral("aligned")).toBool(false), true);
    QCOMPARE(supervisor.value(QStringLiteral("timeout_stop_us")).toInteger(), 300000000LL);
}

void TstSdNotify::alignmentParsing()
{
    const qint64 required = StopBudget::microseconds(120, 5);
    QJsonObject r = SupervisorAlignment::evaluate(QStringLiteral("sluiced.service"), true, required,
                                                  QStringLiteral("TimeoutStopUSec=1min 30s\n"));
    QCOMPARE(r.value(QStringLiteral("aligned")).toBool(true), false);
    QVERIFY(r.value(QStringLiteral("message"))
                .toString()
                .contains(QStringLiteral("TimeoutStopSec=155")));
    r = SupervisorAlignment::evaluate(QStringLiteral("x.service"), false, required,
                                      QStringLiteral("TimeoutStopUSec=infinity\n"));
    QCOMPARE(r.value(QStringLiteral("aligned")).toBool(false), true);
    r = SupervisorAlignment::evaluate(QStringLiteral("x.service"), false, required, QString());
    QCOMPARE(r.value(QStringLiteral("checked")).toBool(true), false);

    auto ref = SupervisorAlignment::unitFromCgroup(
        "0::/user.slice/user-1000.slice/user@1000.service/app.slice/sluiced.service\n");
    QCOMPARE(ref.unit, QStringLiteral("sluiced.service"));
    QVERIFY(ref.userManager);
    ref = SupervisorAlignment::unitFromCgroup("0::/system.slice/gateway.service\n");
    QCOMPARE(ref.unit, QStringLiteral("gateway.service"));
    QVERIFY(!ref.userManager);
    ref = SupervisorAlignment::unitFromCgroup("0::/user.slice/user-1000.slice/session-2.scope\n");
    QVERIFY(ref.unit.isEmpty());
}

void TstSdNotify::notifierUnit()
{
    // In-process: WATCHDOG_PID naming another process disables the pings; no socket = no-op.
    SystemdNotifier::Environment env;
    env.notifySocket = "@x";
    env.watchdogUsec = 1000000;
    env.watchdogPid = QCoreApplication::applicationPid() + 1;
    QVERIFY(!SystemdNotifier(env).watchdogEnabled());
    env.watchdogPid = QCoreApplication::applicationPid();
    QVERIFY(SystemdNotifier(env).watchdogEnabled());
    SystemdNotifier off(SystemdNotifier::Environment{});
    QVERIFY(!off.isEnabled());
    QVERIFY(!off.notify("READY=1"));
    QString error;
    QVERIFY(!SystemdNotifier::sendDatagram("relative/path", "X=1", &error));
    QVERIFY(!error.isEmpty());
}

QTEST_GUILESS_MAIN(TstSdNotify)
#include "tst_sdnotify.moc"
