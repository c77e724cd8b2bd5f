// The one table of how a stop ends: every cause x supervised x previous desired state x ending.
#include "gateway/exitcodes.h"
#include "gateway/stopoutcome.h"

#include <QTest>

using namespace sluice;

Q_DECLARE_METATYPE(sluice::StopCause)
Q_DECLARE_METATYPE(sluice::DesiredState)
Q_DECLARE_METATYPE(sluice::StopEnding)

class TestStopOutcome : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void table_data();
    void table();
    void exitCodesAreTheDocumentedOnes();
};

namespace {
// "prev" in the desired column: the desired state before the stop, kept.
struct Row
{
    StopCause cause;
    bool supervised;
    StopEnding ending;
    int exitCode;
    const char *desired; // "running", "stopped" or "prev"
    const char *reason;
    bool restartRequested;
    bool startsSuccessor;
};

const StopCause P = StopCause::Planned;
const StopCause U = StopCause::UnexpectedSignal;
const StopCause R = StopCause::Restart;
const StopCause F = StopCause::ForceRestart;
const StopEnding Done = StopEnding::Completed;
const StopEnding NoSucc = StopEnding::ReplacementNotStarted;
const StopEnding Dog = StopEnding::WatchdogFired;
const StopEnding Lost = StopEnding::NotPersisted;

const Row kRows[] = {
    // cause sup  ending  exit desired    reason               restart successor
    {P, false, Done, 0, "stopped", "planned", false, false},
    {P, false, NoSucc, 0, "stopped", "planned", false, false},
    {P, false, Dog, 70, "stopped", "watchdog", false, false},
    {P, true, Done, 0, "stopped", "planned", false, false},
    {P, true, NoSucc, 0, "stopped", "planned", false, false},
    {P, true, Dog, 70, "stopped", "watchdog", false, false},

    {U, false, Done, 1, "prev", "unexpected_signal", false, false},
    {U, false, NoSucc, 1, "prev", "unexpected_signal", false, false},
    {U, false, Dog, 70, "prev", "watchdog", false, false},
    {U, true, Done, 1, "prev", "unexpected_signal", false, false},
    {U, true, NoSucc, 1, "prev", "unexpected_signal", false, false},
    {U, true, Dog, 70, "prev", "watchdog", false, false},

    {R, false, Done, 0, "running", "restart", true, true},
    {R, false, NoSucc, 75, "running", "restart", true, false},
    {R, false, Dog, 70, "running", "watchdog", true, false},
    {R, true, Done, 75, "running", "restart", true, false},
    {R, true, NoSucc, 75, "running", "restart", true, false},
    {R, true, Dog, 70, "running", "watchdog", true, false},

    {F, false, Done, 0, "running", "force_restart", true, true},
    {F, false, NoSucc, 75, "running", "force_restart", true, false},
    {F, false, Dog, 70, "running", "watchdog", true, false},
    {F, true, Done, 75, "running", "force_restart", true, false},
    {F, true, NoSucc, 75, "running", "force_restart", true, false},
    {F, true, Dog, 70, "running", "watchdog", true, false},

    // The final state could not be written: 74, whatever the cause, and no successor.
    {P, false, Lost, 74, "stopped", "planned", false, false},
    {P, true, Lost, 74, "stopped", "planned", false, false},
    {U, false, Lost, 74, "prev", "unexpected_signal", false, false},
    {U, true, Lost, 74, "prev", "unexpected_signal", false, false},
    {R, false, Lost, 74, "running", "restart", true, false},
    {R, true, Lost, 74, "running", "restart", true, false},
    {F, false, Lost, 74, "running", "force_restart", true, false},
    {F, true, Lost, 74, "running", "force_restart", true, false},
};
} // namespace

void TestStopOutcome::table_data()
{
    QTest::addColumn<StopCause>("cause");
    QTest::addColumn<bool>("supervised");
    QTest::addColumn<DesiredState>("previous");
    QTest::addColumn<StopEnding>("ending");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<DesiredState>("desired");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<bool>("restartRequested");
    QTest::addColumn<bool>("startsSuccessor");

    const char *endingNames[] = {"completed", "no-successor", "watchdog", "not-persisted"};
    for (const Row &r : kRows) {
        for (DesiredState previous : {DesiredState::Running, DesiredState::Stopped}) {
            const DesiredState desired = qstrcmp(r.desired, "prev") == 0 ? previous
                                         : qstrcmp(r.desired, "running") == 0
                                             ? DesiredState::Running
                                             : DesiredState::Stopped;
            const QByteArray name =
                wireName(r.cause).toLatin1() + (r.supervised ? " supervised " : " alone ") +
                endingNames[int(r.ending)] + " was " + wireName(previous).toLatin1();
            QTest::newRow(name.constData())
                << r.cause << r.supervised << previous << r.ending << r.exitCode << desired
                << QString::fromLatin1(r.reason) << r.restartRequested << r.startsSuccessor;
        }
    }
}

void TestStopOutcome::table()
{
    QFETCH(StopCause, cause);
    QFETCH(bool, supervised);
    QFETCH(DesiredState, previous);
    QFETCH(StopEnding, ending);
    QFETCH(int, exitCode);
    QFETCH(DesiredState, desired);
    QFETCH(QString, reason);
    QFETCH(bool, restartRequested);
    QFETCH(bool, startsSuccessor);

    const StopOutcome o = stopOutcome(cause, supervised, previous, ending);
    QCOMPARE(o.exitCode, exitCode);
    QCOMPARE(o.desiredState, desired);
    QCOMPARE(o.exitReason, reason);
    QCOMPARE(o.restartRequested, restartRequested);
    QCOMPARE(o.startsSuccessor, startsSuccessor);
}

void TestStopOutcome::exitCodesAreTheDocumentedOnes()
{
    // The numbers scripts and service managers act on (docs/reference.md §3).
    QCOMPARE(ExitCode::Ok, 0);
    QCOMPARE(ExitCode::Failure, 1);
    QCOMPARE(ExitCode::Watchdog, 70);
    QCOMPARE(ExitCode::NotPersisted, 74);
    QCOMPARE(ExitCode::RestartBySupervisor, 75);
    QCOMPARE(ExitCode::Usage, 78);
    // Every (cause, supervised, previous, ending) is covered: 4 x 2 x 2 x 4.
    QCOMPARE(int(std::size(kRows)) * 2, 4 * 2 * 2 * 4);
}

QTEST_GUILESS_MAIN(TestStopOutcome)
#include "tst_stopoutcome.moc"
