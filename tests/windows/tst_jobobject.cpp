// Job Object containment (docs/containment.md) on Windows: a turn's whole tree is in its job,
// is counted, is terminated as one, and dies when the job is closed. The agent is
// sluice-test-tree, which starts a child of its own.
#include "turns/containment.h"
#include "turns/turnprocess.h"
#include "winetest.h"

#include "sluice/processidentity.h"

#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace sluice;

namespace {

constexpr int WaitMs = 30000; // generous: Wine starts processes slowly on a busy machine

QString helper()
{
    return QStringLiteral(SLUICE_BIN_DIR "/sluice-test-tree.exe");
}

qint64 childPid(const QByteArray &output)
{
    const auto m =
        QRegularExpression(QStringLiteral("child (\\d+)")).match(QString::fromLatin1(output));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

std::unique_ptr<Containment> jobContainment(const TurnLimits &limits = {})
{
    QString error;
    auto c = Containment::create(Containment::Mode::Auto, limits, &error);
    if (!c)
        qWarning() << "no containment:" << error;
    return c;
}

} // namespace

// One turn of sluice-test-tree in a job of its own, through the real TurnProcess, with the
// signals the tests wait on. Outside the anonymous namespace: lambdas in the tests capture it,
// and in a unity build this file is not the main file (-Wsubobject-linkage).
struct TreeTurn
{
    TreeTurn(const QString &id, int graceMs, const TurnLimits &limits = {})
        : containment(jobContainment(limits))
        , turn(id, graceMs, {}, containment->createContainer(id, nullptr))
        , exited(&turn, &TurnProcess::exited)
        , gone(&turn, &TurnProcess::treeGone)
    {}

    void start(const char *mode)
    {
        turn.start(helper(), {QString::fromLatin1(mode)}, QProcessEnvironment::systemEnvironment(),
                   {});
    }
    qint64 child() const { return childPid(turn.output()); }

    std::unique_ptr<Containment> containment; // outlives the turn
    TurnProcess turn;
    QSignalSpy exited;
    QSignalSpy gone;
};

class TestJobObject : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void autoMeansJobObject()
    {
        auto c = jobContainment();
        QVERIFY(c);
        QCOMPARE(c->mode(), Containment::Mode::JobObject);
        QCOMPARE(c->describe().value(QStringLiteral("mode")).toString(),
                 QStringLiteral("job-object"));
        QString error;
        QVERIFY(!Containment::create(Containment::Mode::Cgroup, {}, &error));
        QVERIFY(error.contains(QStringLiteral("job-object")));
    }

    // The real turn path: started suspended, put in its job, resumed; interrupt ends the
    // whole tree (CTRL_BREAK, then TerminateJobObject after the grace).
    void interruptEndsTheWholeTree()
    {
        TreeTurn t(QStringLiteral("t-tree"), 1000);
        t.start("tree");
        QTRY_VERIFY_WITH_TIMEOUT(t.child() > 0, WaitMs);
        const qint64 leader = t.turn.pid();
        const qint64 child = t.child();
        QVERIFY(ProcessIdentity::isAlive(leader));
        QVERIFY(ProcessIdentity::isAlive(child));
        // Accounting: both processes are in the job (Wine reports one more), and CPU time is
        // reported.
        QTRY_VERIFY_WITH_TIMEOUT(t.turn.usage().processes.value_or(-1) >= 2, WaitMs);
        QVERIFY(t.turn.usage().cpuSeconds.has_value());

        t.turn.interrupt();
        QTRY_COMPARE_WITH_TIMEOUT(t.gone.count(), 1, WaitMs);
        QCOMPARE(t.exited.count(), 1);
        QVERIFY(!ProcessIdentity::isAlive(leader));
        QTRY_VERIFY_WITH_TIMEOUT(!ProcessIdentity::isAlive(child), WaitMs);
        QCOMPARE(t.turn.usage().processes.value_or(-1), qint64(0));
    }

    // CTRL_BREAK is the polite half of an interrupt: the agent may finish on its own.
    void ctrlBreakReachesTheAgent()
    {
        TreeTurn t(QStringLiteral("t-break"), 20000);
        t.start("tree");
        QTRY_VERIFY_WITH_TIMEOUT(t.child() > 0, WaitMs);
        t.turn.interrupt();
        // The grace is 20 s: an exit well before it can only be the agent's own handler.
        if (!QTest::qWaitFor([&] { return t.exited.count() > 0; }, 8000)) {
            t.turn.killTree();
            QTRY_COMPARE_WITH_TIMEOUT(t.gone.count(), 1, WaitMs);
            if (test::runningUnderWine())
                QSKIP("Wine does not deliver CTRL_BREAK_EVENT to another console process group");
            QFAIL("the agent did not get CTRL_BREAK");
        }
        QCOMPARE(t.exited.first().at(0).toInt(), 42);
        QVERIFY(t.turn.output().contains("break"));
        // Its child is still in the job: the tree is gone only once the grace has ended that.
        QTRY_COMPARE_WITH_TIMEOUT(t.gone.count(), 1, 30000);
    }

    // JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: closing the job (the container going away, or
    // sluiced dying) kills what is left, whatever it started.
    void closingTheJobKillsTheTree()
    {
        auto c = jobContainment();
        QVERIFY(c);
        TurnContainer *box = c->createContainer(QStringLiteral("t-close"), nullptr);
        QString error;
        QVERIFY2(box->prepare(&error), qPrintable(error));
        QProcess p;
        p.setCreateProcessArgumentsModifier([](QProcess::CreateProcessArguments *args) {
            args->flags |= CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP;
        });
        p.start(helper(), {QStringLiteral("tree")});
        QVERIFY(p.waitForStarted(WaitMs));
        box->attach(p.processId()); // joins the job, then resumes
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT(childPid(out += p.readAllStandardOutput()) > 0, WaitMs);
        const qint64 child = childPid(out);
        QVERIFY(ProcessIdentity::isAlive(child));
        QVERIFY(!box->isEmpty());
        delete box; // CloseHandle(job)
        QVERIFY(p.waitForFinished(WaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(!ProcessIdentity::isAlive(child), WaitMs);
    }

    // A process limit is a job limit: the agent cannot start more than that.
    void processLimitIsEnforced()
    {
        TurnLimits limits;
        limits.pidsMax = 1;
        TreeTurn t(QStringLiteral("t-limit"), 1000, limits);
        t.start("spawn-check");
        QTRY_COMPARE_WITH_TIMEOUT(t.gone.count(), 1, WaitMs);
        const QByteArray out = t.turn.output();
        QVERIFY2(out.contains("spawn "), out.constData());
        if (out.contains("spawn ok") && test::runningUnderWine())
            QSKIP("Wine does not enforce JOB_OBJECT_LIMIT_ACTIVE_PROCESS");
        QVERIFY2(out.contains("spawn failed"), out.constData());
    }
};

QTEST_GUILESS_MAIN(TestJobObject)
#include "tst_jobobject.moc"
