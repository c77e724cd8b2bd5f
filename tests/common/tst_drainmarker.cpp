#include "sluice/drainmarker.h"
#include "sluice/epoch.h"
#include "sluice/paths.h"
#include "testhelpers.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace sluice;
using namespace sluice::test;

class TestDrainMarker : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path() const { return HomePaths(m_dir.path()).drainMarker(); }
    DrainMarker marker(const QString &epoch = QStringLiteral("E1"), qint64 ttl = 3600) const
    {
        return DrainMarker(path(), epoch, ttl);
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QFile::remove(path());
    }

    void absentByDefault()
    {
        const DrainMarker::Decision d = marker().evaluate();
        QCOMPARE(d.verdict, DrainMarker::Verdict::Absent);
        QVERIFY(!d.isActive());
        QVERIFY(!d.isStale());
        QVERIFY(!marker().read().exists());
    }

    void pathFollowsHome()
    {
        QCOMPARE(path(), m_dir.path() + QStringLiteral("/.drain_request.json"));
        QTemporaryDir other;
        QCOMPARE(HomePaths(other.path()).drainMarker(),
                 other.path() + QStringLiteral("/.drain_request.json"));
        QVERIFY(HomePaths(other.path()).drainMarker() != path());
    }

    void writeThenPresentAndActive()
    {
        QString error;
        QVERIFY2(marker().write(QStringLiteral("alice"), true, &error), qPrintable(error));
        const DrainMarker::Decision d = marker().evaluate();
        QCOMPARE(d.verdict, DrainMarker::Verdict::Active);
        QVERIFY(d.isActive());
        QVERIFY(!d.corrupt);
        QCOMPARE(d.content.value("action").toString(), QStringLiteral("drain"));
        QCOMPARE(d.content.value("principal").toString(), QStringLiteral("alice"));
        QCOMPARE(d.content.value("epoch").toString(), QStringLiteral("E1"));
        QCOMPARE(d.content.value("suppress_notification").toBool(), true);
        const QDateTime at =
            QDateTime::fromString(d.content.value("requested_at").toString(), Qt::ISODateWithMs);
        QVERIFY(at.isValid());
        QCOMPARE(at.timeSpec(), Qt::UTC);
        QVERIFY(qAbs(at.secsTo(QDateTime::currentDateTimeUtc())) < 60);
        QVERIFY(d.content.value("requested_at").toString().endsWith(QLatin1Char('Z')));
    }

    void fileIsValidJsonAndNoTempLeft()
    {
        QVERIFY(marker().write(QStringLiteral("bob"), false));
        QFile f(path());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonParseError e;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &e);
        QCOMPARE(e.error, QJsonParseError::NoError);
        QVERIFY(doc.isObject());
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
        QCOMPARE(marker().read().status, JsonFile::Status::Object);
    }

    void clearRemovesAndIsIdempotent()
    {
        QVERIFY(marker().write(QStringLiteral("x"), false));
        QVERIFY(QFile::exists(path()));
        QVERIFY(marker().clear());
        QVERIFY(!QFile::exists(path()));
        QVERIFY(!marker().clear());
        QVERIFY(!marker().clear());
        QCOMPARE(marker().evaluate().verdict, DrainMarker::Verdict::Absent);
    }

    void corruptIsPresentAndActive_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("garbage") << QByteArray("not json at all");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("truncated") << QByteArray("{\"action\":\"drain\",\"epoch\":\"E");
        QTest::newRow("array") << QByteArray("[1,2]");
    }
    void corruptIsPresentAndActive()
    {
        QFETCH(QByteArray, content);
        QVERIFY(writeRaw(path(), content));
        QVERIFY(marker().read().exists());
        QVERIFY(!marker().read().isObject());
        const DrainMarker::Decision d = marker().evaluate();
        QCOMPARE(d.verdict, DrainMarker::Verdict::Active);
        QVERIFY(d.corrupt);
        QVERIFY(!d.reason.isEmpty());
    }

    void epochStampedAndStable()
    {
        const QString e1 = InstantiationEpoch::current();
        const QString e2 = InstantiationEpoch::current();
        QCOMPARE(e1, e2);
#ifdef Q_OS_LINUX
        QVERIFY(!e1.isEmpty()); // boot_id + PID 1 start time exist here
#endif
        const DrainMarker m(path(), e1);
        QVERIFY(m.write(QStringLiteral("p"), false));
        QCOMPARE(m.read().object.value("epoch").toString(), e1);
        QCOMPARE(DrainMarker(path(), InstantiationEpoch::current()).evaluate().verdict,
                 DrainMarker::Verdict::Active);
    }

    void otherEpochReadsAbsentAlthoughFileExists()
    {
        QVERIFY(marker(QStringLiteral("OLD-BOOT")).write(QStringLiteral("p"), false));
        const DrainMarker::Decision d = marker(QStringLiteral("NEW-BOOT")).evaluate();
        QCOMPARE(d.verdict, DrainMarker::Verdict::OtherEpoch);
        QVERIFY(!d.isActive());
        QVERIFY(d.isStale());
        QVERIFY(d.reason.contains(QStringLiteral("OLD-BOOT")));
        QVERIFY(QFile::exists(path())); // removal is the caller's job
    }

    void sameEpochHonoured()
    {
        QVERIFY(marker(QStringLiteral("SAME")).write(QStringLiteral("p"), false));
        QCOMPARE(marker(QStringLiteral("SAME")).evaluate().verdict, DrainMarker::Verdict::Active);
    }

    void noEpochKeyIsActive()
    {
        QVERIFY(writeRaw(path(), R"({"action":"drain","principal":"old-writer"})"));
        const DrainMarker::Decision d = marker().evaluate();
        QCOMPARE(d.verdict, DrainMarker::Verdict::Active);
        QVERIFY(!d.corrupt);
        QCOMPARE(d.content.value("principal").toString(), QStringLiteral("old-writer"));
    }

    void noEpochSourceIsPresenceOnly()
    {
        QVERIFY(marker(QStringLiteral("SOME-OTHER-BOOT")).write(QStringLiteral("p"), false));
        QCOMPARE(marker(QString()).evaluate().verdict, DrainMarker::Verdict::Active);
        QVERIFY(writeRaw(path(), "garbage"));
        QCOMPARE(marker(QString()).evaluate().verdict, DrainMarker::Verdict::Active);
        QVERIFY(QFile::remove(path()));
        QCOMPARE(marker(QString()).evaluate().verdict, DrainMarker::Verdict::Absent);
    }

    void ttlByMtimeExpires()
    {
        QVERIFY(marker().write(QStringLiteral("p"), false));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(setMtime(path(), now.addSecs(-3599)));
        QCOMPARE(marker().evaluate(now).verdict, DrainMarker::Verdict::Active);
        QVERIFY(setMtime(path(), now.addSecs(-3601)));
        const DrainMarker::Decision d = marker().evaluate(now);
        QCOMPARE(d.verdict, DrainMarker::Verdict::Expired);
        QVERIFY(d.isStale());
        QVERIFY(!d.isActive());
        // A shorter TTL expires sooner; ttl 0 never expires.
        QVERIFY(setMtime(path(), now.addSecs(-120)));
        QCOMPARE(marker(QStringLiteral("E1"), 60).evaluate(now).verdict,
                 DrainMarker::Verdict::Expired);
        QVERIFY(setMtime(path(), now.addYears(-5)));
        QCOMPARE(marker(QStringLiteral("E1"), 0).evaluate(now).verdict,
                 DrainMarker::Verdict::Active);
    }

    void ttlComesFirstForCorruptAndOtherEpoch()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(writeRaw(path(), "{{{ corrupt"));
        QVERIFY(setMtime(path(), now.addSecs(-7200)));
        QCOMPARE(marker().evaluate(now).verdict, DrainMarker::Verdict::Expired);
        QVERIFY(marker(QStringLiteral("OLD")).write(QStringLiteral("p"), false));
        QVERIFY(setMtime(path(), now.addSecs(-7200)));
        QCOMPARE(marker(QStringLiteral("NEW")).evaluate(now).verdict,
                 DrainMarker::Verdict::Expired);
        QCOMPARE(marker(QString()).evaluate(now).verdict, DrainMarker::Verdict::Expired);
    }

    void futureRequestedAtDoesNotExtend()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const QJsonObject o{{"action", "drain"},
                            {"requested_at", toIsoUtc(now.addYears(10))},
                            {"principal", "clock-skew"},
                            {"epoch", "E1"},
                            {"suppress_notification", false}};
        QVERIFY(writeJsonAtomically(path(), o));
        QVERIFY(setMtime(path(), now.addSecs(-3700)));
        QCOMPARE(marker().evaluate(now).verdict, DrainMarker::Verdict::Expired);
    }

    void writeFailureIsReported()
    {
        const DrainMarker m(m_dir.filePath(QStringLiteral("missing/.drain_request.json")),
                            QStringLiteral("E1"));
        QString error;
        QVERIFY(!m.write(QStringLiteral("p"), false, &error));
        QVERIFY(!error.isEmpty());
        QCOMPARE(m.evaluate().verdict, DrainMarker::Verdict::Absent);
    }

    void verdictNames()
    {
        QCOMPARE(DrainMarker::verdictName(DrainMarker::Verdict::Absent), "absent");
        QCOMPARE(DrainMarker::verdictName(DrainMarker::Verdict::Active), "active");
        QCOMPARE(DrainMarker::verdictName(DrainMarker::Verdict::OtherEpoch), "other_epoch");
        QCOMPARE(DrainMarker::verdictName(DrainMarker::Verdict::Expired), "expired");
    }
};

QTEST_GUILESS_MAIN(TestDrainMarker)
#include "tst_drainmarker.moc"
