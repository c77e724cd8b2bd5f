#include "sluice/processidentity.h"

#include <QCoreApplication>
#include <QProcess>
#include <QTest>

#ifdef Q_OS_UNIX
#include <csignal>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace sluice;

class TestProcessIdentity : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parseStat()
    {
        // comm may contain spaces and ')': fields are counted after the LAST ')'.
        QByteArray stat = "1234 (evil) name) (x) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 "
                          "20 0 1 0 5555 1000 100 18446744073709551615";
        QCOMPARE(ProcessIdentity::startTimeFromStat(stat), qint64(5555));
        stat = "1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 42 1 2";
        QCOMPARE(ProcessIdentity::startTimeFromStat(stat), qint64(42));
        QCOMPARE(ProcessIdentity::startTimeFromStat("1 (x) S 0 1 1"), qint64(-1));
        QCOMPARE(ProcessIdentity::startTimeFromStat(""), qint64(-1));
        QCOMPARE(ProcessIdentity::startTimeFromStat("garbage without paren"), qint64(-1));
        QCOMPARE(ProcessIdentity::startTimeFromStat(
                     "1 (x) S 0 1 1 0 -1 4 1 2 3 4 5 6 7 8 20 0 1 0 notanumber 1"),
                 qint64(-1));
    }

    void parseStatFields()
    {
        ProcessIdentity::ProcStat s;
        QVERIFY(ProcessIdentity::parseStat(
            "1234 (evil) name) (x) S 77 1230 1200 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5555 "
            "1000\n",
            &s));
        QCOMPARE(s.pid, qint64(1234));
        QCOMPARE(s.comm, QByteArray("evil) name) (x"));
        QCOMPARE(s.state, 'S');
        QCOMPARE(s.ppid, qint64(77));
        QCOMPARE(s.pgrp, qint64(1230));
        QCOMPARE(s.session, qint64(1200));
        QCOMPARE(s.startTime, qint64(5555));
        QVERIFY(!ProcessIdentity::parseStat("", &s));
        QVERIFY(!ProcessIdentity::parseStat("garbage without paren", &s));
        QVERIFY(!ProcessIdentity::parseStat("x (name) S 1 2 3", &s)); // pid not a number
        QVERIFY(!ProcessIdentity::parseStat("12 (name) S 1", &s));    // too few fields
    }

    void processTableListsSelfAndParent()
    {
#ifdef Q_OS_LINUX
        const QList<ProcessIdentity::ProcStat> table = ProcessIdentity::processTable();
        const qint64 self = ProcessIdentity::currentPid();
        bool foundSelf = false, foundParent = false;
        qint64 previous = 0;
        for (const ProcessIdentity::ProcStat &p : table) {
            QVERIFY(p.pid > previous); // numeric order, no duplicates
            previous = p.pid;
            if (p.pid == self) {
                foundSelf = true;
                QCOMPARE(p.ppid, qint64(::getppid()));
                QCOMPARE(p.session, qint64(::getsid(0)));
                QCOMPARE(p.startTime, ProcessIdentity::currentStartTime());
            }
            foundParent = foundParent || p.pid == ::getppid();
        }
        QVERIFY(foundSelf);
        QVERIFY(foundParent);
#else
        QSKIP("processTable() reads /proc (Linux only)");
#endif
    }

    void self()
    {
        const qint64 pid = ProcessIdentity::currentPid();
        QCOMPARE(pid, QCoreApplication::applicationPid());
        QVERIFY(ProcessIdentity::isAlive(pid));
#ifdef Q_OS_LINUX
        const qint64 start = ProcessIdentity::currentStartTime();
        QVERIFY(start > 0);
        QCOMPARE(ProcessIdentity::startTime(pid), start);
        QCOMPARE(ProcessIdentity::currentStartTime(), start);
        QVERIFY(ProcessIdentity::isSameProcess(pid, start));
        QVERIFY(!ProcessIdentity::isSameProcess(pid, start + 1));
        QVERIFY(ProcessIdentity::isSameProcess(pid, -1));
        QCOMPARE(ProcessIdentity::parentPid(pid), qint64(::getppid()));
        QVERIFY(
            QStringLiteral("tst_processidentity").startsWith(ProcessIdentity::processName(pid)));
        QVERIFY(!ProcessIdentity::processName(pid).isEmpty());
        QVERIFY(ProcessIdentity::commandLine(pid).contains(QStringLiteral("tst_processidentity")));
        QVERIFY(ProcessIdentity::tracerPid(pid) >= 0);
#endif
    }

    void invalidPids()
    {
        QVERIFY(!ProcessIdentity::isAlive(0));
        QVERIFY(!ProcessIdentity::isAlive(-5));
        QCOMPARE(ProcessIdentity::startTime(0), qint64(-1));
        QCOMPARE(ProcessIdentity::parentPid(-1), qint64(-1));
        QVERIFY(ProcessIdentity::processName(0).isEmpty());
        QVERIFY(ProcessIdentity::commandLine(0).isEmpty());
        QCOMPARE(ProcessIdentity::tracerPid(0), qint64(-1));
        // Beyond pid_max (4194304 on Linux): never alive.
        QVERIFY(!ProcessIdentity::isAlive(999999999));
        QCOMPARE(ProcessIdentity::startTime(999999999), qint64(-1));
    }

#ifdef Q_OS_UNIX
    // Before any QProcess runs, so nothing else reaps our raw child.
    void zombieIsDead()
    {
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0)
            ::_exit(0);
#ifdef Q_OS_LINUX
        // Not reaped: a zombie. kill(pid, 0) still succeeds on it, but it is dead to us.
        QTRY_VERIFY_WITH_TIMEOUT(!ProcessIdentity::isAlive(child), 10000);
        QCOMPARE(::kill(child, 0), 0); // proves it is still a zombie, not gone
        QVERIFY(!ProcessIdentity::isSameProcess(child, -1));
#endif
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY(!ProcessIdentity::isAlive(child));
    }
#endif

    void childLifecycle()
    {
        QProcess p;
#ifdef Q_OS_WIN
        p.start(QStringLiteral("cmd"), {QStringLiteral("/c"), QStringLiteral("pause")});
#else
        p.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("read x")});
#endif
        QVERIFY(p.waitForStarted(10000));
        const qint64 pid = p.processId();
        QVERIFY(pid > 0);
        QVERIFY(ProcessIdentity::isAlive(pid));
#ifdef Q_OS_LINUX
        const qint64 start = ProcessIdentity::startTime(pid);
        QVERIFY(start > 0);
        QVERIFY(start >= ProcessIdentity::currentStartTime());
        QVERIFY(ProcessIdentity::isSameProcess(pid, start));
        QVERIFY(!ProcessIdentity::isSameProcess(pid, start + 12345));
        QCOMPARE(ProcessIdentity::parentPid(pid), ProcessIdentity::currentPid());
        // The exec may still be finishing when waitForStarted() returns.
        QTRY_COMPARE_WITH_TIMEOUT(ProcessIdentity::processName(pid), QStringLiteral("sh"), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(
            ProcessIdentity::commandLine(pid).contains(QStringLiteral("read x")), 10000);
#endif
        p.closeWriteChannel(); // EOF ends `read`
        QVERIFY(p.waitForFinished(10000));
        QTRY_VERIFY_WITH_TIMEOUT(!ProcessIdentity::isAlive(pid), 10000);
        QVERIFY(!ProcessIdentity::isSameProcess(pid, -1));
    }
};

QTEST_GUILESS_MAIN(TestProcessIdentity)
#include "tst_processidentity.moc"
