#include "sluice/epoch.h"

#include <QTest>

using namespace sluice;

namespace {

QByteArray pid1Stat(qint64 start)
{
    return "1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 " + QByteArray::number(start) +
           " 1000 10";
}

InstantiationEpoch::Source source(const QByteArray &bootId, const QByteArray &stat)
{
    InstantiationEpoch::Source s;
    s.bootId = [bootId] { return bootId; };
    s.pid1Stat = [stat] { return stat; };
    return s;
}

} // namespace

class TestEpoch : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void bothFacts()
    {
        const QString e = InstantiationEpoch::compute(source("abc-123\n", pid1Stat(77)));
        QCOMPARE(e, QStringLiteral("abc-123:77"));
    }

    void noProcIsEmpty()
    {
        QVERIFY(InstantiationEpoch::compute(source({}, {})).isEmpty());
        QVERIFY(InstantiationEpoch::compute(InstantiationEpoch::Source{}).isEmpty());
        QVERIFY(InstantiationEpoch::compute(source("  \n", "garbage")).isEmpty());
    }

    void partialFacts()
    {
        const QString onlyBoot = InstantiationEpoch::compute(source("boot-1", {}));
        QVERIFY(!onlyBoot.isEmpty());
        QVERIFY(onlyBoot.contains(QStringLiteral("boot-1")));
        const QString onlyPid1 = InstantiationEpoch::compute(source({}, pid1Stat(55)));
        QVERIFY(!onlyPid1.isEmpty());
        QVERIFY(onlyPid1 != onlyBoot);
    }

    void newBootDiffers()
    {
        const QString a = InstantiationEpoch::compute(source("boot-A", pid1Stat(10)));
        const QString b = InstantiationEpoch::compute(source("boot-B", pid1Stat(10)));
        QVERIFY(a != b);
    }

    void newPid1Differs()
    {
        // A container re-created on the same host keeps boot_id but gets a new PID 1.
        const QString a = InstantiationEpoch::compute(source("boot-A", pid1Stat(10)));
        const QString b = InstantiationEpoch::compute(source("boot-A", pid1Stat(11)));
        QVERIFY(a != b);
    }

    void deterministic()
    {
        QCOMPARE(InstantiationEpoch::compute(source("boot-A", pid1Stat(10))),
                 InstantiationEpoch::compute(source("boot-A\n", pid1Stat(10))));
    }

    void systemSourceAndStability()
    {
        const QString fromSystem = InstantiationEpoch::compute(InstantiationEpoch::systemSource());
        const QString current = InstantiationEpoch::current();
        QCOMPARE(current, fromSystem);
        QCOMPARE(InstantiationEpoch::current(), current); // stable within the process
#ifdef Q_OS_LINUX
        QVERIFY(!current.isEmpty());
        QVERIFY(current.contains(QLatin1Char(':')));
#endif
    }

    // Last: the override sticks for the rest of the process.
    void overrideForTesting()
    {
        InstantiationEpoch::overrideCurrentForTesting(QStringLiteral("forced"));
        QCOMPARE(InstantiationEpoch::current(), QStringLiteral("forced"));
        InstantiationEpoch::overrideCurrentForTesting(QString());
        QVERIFY(InstantiationEpoch::current().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestEpoch)
#include "tst_epoch.moc"
