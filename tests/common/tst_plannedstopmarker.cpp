#include "sluice/paths.h"
#include "sluice/plannedstopmarker.h"
#include "sluice/processidentity.h"
#include "testhelpers.h"

#include <QTemporaryDir>
#include <QTest>

#include <limits>

using namespace sluice;
using namespace sluice::test;

namespace {
constexpr qint64 SelfPid = 4242;
constexpr qint64 SelfStart = 987654;
} // namespace

class TestPlannedStopMarker : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString path() const { return HomePaths(m_dir.path()).plannedStopMarker(); }
    PlannedStopMarker marker() const { return PlannedStopMarker(path()); }

    // The same content written compactly and with generous spacing, as a shell script might.
    static QByteArray json(const QString &pid, const QString &start, const QString &writtenAt,
                           bool spaced)
    {
        const QString written = writtenAt.isEmpty()
                                    ? QStringLiteral("null")
                                    : QLatin1Char('"') + writtenAt + QLatin1Char('"');
        if (spaced) {
            return QStringLiteral("{\n  \"target_pid\" : %1 ,\n  \"target_start_time\" :  %2,\n"
                                  "  \"stopper_pid\": 1,\n  \"written_at\" : %3,\n"
                                  "  \"restart\" : true\n}\n")
                .arg(pid, start, written)
                .toUtf8();
        }
        return QStringLiteral(
                   R"({"target_pid":%1,"target_start_time":%2,"stopper_pid":1,"written_at":%3,"restart":true})")
            .arg(pid, start, written)
            .toUtf8();
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        QFile::remove(path());
    }

    void absent()
    {
        const PlannedStopMarker::Probe p = marker().probe(SelfPid, SelfStart);
        QCOMPARE(p.verdict, PlannedStopMarker::Verdict::Absent);
        QVERIFY(!marker().consume());
    }

    void pathFollowsHome()
    {
        QCOMPARE(path(), m_dir.path() + QStringLiteral("/.gateway-planned-stop.json"));
    }

    void writeProbeConsume()
    {
        QString error;
        QVERIFY2(marker().write(SelfPid, SelfStart, true, &error), qPrintable(error));
        QCOMPARE(tempLeftovers(m_dir.path()), QStringList());
        PlannedStopMarker::Probe p = marker().probe(SelfPid, SelfStart);
        QCOMPARE(p.verdict, PlannedStopMarker::Verdict::Self);
        QCOMPARE(p.targetPid, SelfPid);
        QCOMPARE(p.targetStartTime, SelfStart);
        QVERIFY(p.restart);
        QCOMPARE(p.content.value("stopper_pid").toInteger(), ProcessIdentity::currentPid());
        QVERIFY(QDateTime::fromString(p.content.value("written_at").toString(), Qt::ISODateWithMs)
                    .isValid());
        // Probing does not consume.
        QCOMPARE(marker().probe(SelfPid, SelfStart).verdict, PlannedStopMarker::Verdict::Self);
        QVERIFY(marker().consume());
        QVERIFY(!QFile::exists(path()));
        QVERIFY(!marker().consume());
        QCOMPARE(marker().probe(SelfPid, SelfStart).verdict, PlannedStopMarker::Verdict::Absent);
    }

    void verdicts_data()
    {
        QTest::addColumn<bool>("spaced");
        QTest::addColumn<QString>("pid");
        QTest::addColumn<QString>("start");
        QTest::addColumn<int>("ageS"); // written_at = now - ageS
        QTest::addColumn<int>("expected");
        using V = PlannedStopMarker::Verdict;
        for (bool spaced : {false, true}) {
            const char *f = spaced ? "spaced " : "compact ";
            auto row = [&](const char *name) {
                return &QTest::newRow((QByteArray(f) + name).constData());
            };
            *row("self") << spaced << "4242"
                         << "987654" << 5 << int(V::Self);
            *row("self old is still self") << spaced << "4242"
                                           << "987654" << 3600 << int(V::Self);
            *row("self, start unknown (null)") << spaced << "4242"
                                               << "null" << 5 << int(V::Self);
            *row("self, start -1") << spaced << "4242"
                                   << "-1" << 5 << int(V::Self);
            *row("self, pid as string") << spaced << "\"4242\""
                                        << "\"987654\"" << 5 << int(V::Self);
            *row("same pid, other start") << spaced << "4242"
                                          << "111" << 5 << int(V::Other);
            *row("other") << spaced << "777"
                          << "987654" << 5 << int(V::Other);
            *row("other, 59 s") << spaced << "777"
                                << "1" << 59 << int(V::Other);
            *row("other expired") << spaced << "777"
                                  << "1" << 61 << int(V::Expired);
            *row("no pid") << spaced << "null"
                           << "1" << 5 << int(V::Malformed);
            *row("pid not a number") << spaced << "\"abc\""
                                     << "1" << 5 << int(V::Malformed);
            *row("no pid, old") << spaced << "null"
                                << "1" << 120 << int(V::Expired);
            // Numbers no integer can hold are no pid (a cast of them is undefined).
            *row("pid 1e300") << spaced << "1e300"
                              << "1" << 5 << int(V::Malformed);
            *row("pid -1e300") << spaced << "-1e300"
                               << "1" << 5 << int(V::Malformed);
            *row("pid 1e300, old") << spaced << "1e300"
                                   << "1" << 120 << int(V::Expired);
            *row("pid 2^63") << spaced << "9223372036854775808"
                             << "1" << 5 << int(V::Malformed);
            *row("pid -2^63") << spaced << "-9223372036854775808"
                              << "1" << 5 << int(V::Malformed);
            *row("pid 2^64") << spaced << "18446744073709551616"
                             << "1" << 5 << int(V::Malformed);
            *row("pid 2^32 (no such pid)") << spaced << "4294967296"
                                           << "1" << 5 << int(V::Malformed);
            *row("pid 2^32 + self (no wrap)") << spaced << "4294971538"
                                              << "987654" << 5 << int(V::Malformed);
            *row("pid fractional") << spaced << "4242.5"
                                   << "987654" << 5 << int(V::Malformed);
            *row("pid just above self") << spaced << "4242.000001"
                                        << "987654" << 5 << int(V::Malformed);
            *row("pid whole in exponent form") << spaced << "4.242e3"
                                               << "987654" << 5 << int(V::Self);
            *row("pid 4242.0") << spaced << "4242.0"
                               << "987654" << 5 << int(V::Self);
            *row("pid NaN (not JSON)") << spaced << "NaN"
                                       << "1" << 5 << int(V::Malformed);
            *row("pid Infinity (not JSON)") << spaced << "Infinity"
                                            << "1" << 5 << int(V::Malformed);
            *row("pid 1e400 (not JSON)") << spaced << "1e400"
                                         << "1" << 5 << int(V::Malformed);
            *row("pid \"NaN\"") << spaced << "\"NaN\""
                                << "1" << 5 << int(V::Malformed);
            *row("pid \"1e300\"") << spaced << "\"1e300\""
                                  << "1" << 5 << int(V::Malformed);
            *row("pid string 2^63") << spaced << "\"9223372036854775808\""
                                    << "1" << 5 << int(V::Malformed);
            *row("pid zero") << spaced << "0"
                             << "1" << 5 << int(V::Malformed);
            *row("pid negative") << spaced << "-4242"
                                 << "1" << 5 << int(V::Malformed);
            // A start time no integer can hold is unknown: a match by pid alone.
            *row("self, start 1e300") << spaced << "4242"
                                      << "1e300" << 5 << int(V::Self);
            *row("self, start -1e300") << spaced << "4242"
                                       << "-1e300" << 5 << int(V::Self);
            *row("self, start 2^63") << spaced << "4242"
                                     << "9223372036854775808" << 5 << int(V::Self);
            *row("self, start fractional") << spaced << "4242"
                                           << "987654.5" << 5 << int(V::Self);
        }
    }
    void verdicts()
    {
        QFETCH(bool, spaced);
        QFETCH(QString, pid);
        QFETCH(QString, start);
        QFETCH(int, ageS);
        QFETCH(int, expected);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(writeRaw(path(), json(pid, start, toIsoUtc(now.addSecs(-ageS)), spaced)));
        const PlannedStopMarker::Probe p = marker().probe(SelfPid, SelfStart, now);
        QVERIFY2(int(p.verdict) == expected,
                 qPrintable(QString::fromLatin1(PlannedStopMarker::verdictName(p.verdict)) +
                            QStringLiteral(": ") + p.reason));
        QVERIFY(QFile::exists(path())); // never consumed by a probe
    }

    void hugeNumbersReadAsUnknown()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(writeRaw(path(), json("1e300", "1e300", toIsoUtc(now), false)));
        const PlannedStopMarker::Probe p = marker().probe(SelfPid, SelfStart, now);
        QCOMPARE(p.verdict, PlannedStopMarker::Verdict::Malformed);
        QCOMPARE(p.targetPid, qint64(-1));
        QCOMPARE(p.targetStartTime, qint64(-1));
        QVERIFY2(p.reason.contains(QLatin1String("no valid target_pid")), qPrintable(p.reason));

        QVERIFY(writeRaw(path(), json("4242", "9223372036854775807", toIsoUtc(now), false)));
        QCOMPARE(marker().probe(SelfPid, SelfStart, now).targetStartTime,
                 std::numeric_limits<qint64>::max());
    }

    void selfWhenOwnStartTimeUnknown()
    {
        QVERIFY(marker().write(SelfPid, 123, false));
        QCOMPARE(marker().probe(SelfPid, -1).verdict, PlannedStopMarker::Verdict::Self);
        QVERIFY(!marker().probe(SelfPid, -1).restart);
    }

    void malformedContent_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::newRow("garbage") << QByteArray("garbage");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("array") << QByteArray("[4242]");
        QTest::newRow("truncated") << QByteArray(R"({"target_pid":42)");
    }
    void malformedContent()
    {
        QFETCH(QByteArray, content);
        QVERIFY(writeRaw(path(), content));
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(setMtime(path(), now.addSecs(-10)));
        QCOMPARE(marker().probe(SelfPid, SelfStart, now).verdict,
                 PlannedStopMarker::Verdict::Malformed);
        // Unreadable content: the age comes from the file's mtime.
        QVERIFY(setMtime(path(), now.addSecs(-61)));
        QCOMPARE(marker().probe(SelfPid, SelfStart, now).verdict,
                 PlannedStopMarker::Verdict::Expired);
    }

    void ageFromMtimeWhenWrittenAtMissing()
    {
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(writeRaw(path(), R"({"target_pid":777,"written_at":"not a date"})"));
        QVERIFY(setMtime(path(), now.addSecs(-30)));
        QCOMPARE(marker().probe(SelfPid, SelfStart, now).verdict,
                 PlannedStopMarker::Verdict::Other);
        QVERIFY(setMtime(path(), now.addSecs(-90)));
        QCOMPARE(marker().probe(SelfPid, SelfStart, now).verdict,
                 PlannedStopMarker::Verdict::Expired);
    }

    void verdictNames()
    {
        using V = PlannedStopMarker::Verdict;
        QCOMPARE(PlannedStopMarker::verdictName(V::Absent), "absent");
        QCOMPARE(PlannedStopMarker::verdictName(V::Self), "self");
        QCOMPARE(PlannedStopMarker::verdictName(V::Other), "other");
        QCOMPARE(PlannedStopMarker::verdictName(V::Expired), "expired");
        QCOMPARE(PlannedStopMarker::verdictName(V::Malformed), "malformed");
    }
};

QTEST_GUILESS_MAIN(TestPlannedStopMarker)
#include "tst_plannedstopmarker.moc"
