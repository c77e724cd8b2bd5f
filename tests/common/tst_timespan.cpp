#include "sluice/timespan.h"

#include <QTest>

using namespace sluice;

namespace {
constexpr qint64 S = 1000000;
}

class TestTimespan : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("expected"); // -1 = nullopt

        QTest::newRow("90s") << "90s" << 90 * S;
        QTest::newRow("3min") << "3min" << 180 * S;
        QTest::newRow("1min 30s") << "1min 30s" << 90 * S;
        QTest::newRow("1min30s") << "1min30s" << 90 * S;
        QTest::newRow("1m30s") << "1m30s" << 90 * S;
        QTest::newRow("1h") << "1h" << 3600 * S;
        QTest::newRow("1hr") << "1hr" << 3600 * S;
        QTest::newRow("2hours") << "2hours" << 7200 * S;
        QTest::newRow("500ms") << "500ms" << qint64(500000);
        QTest::newRow("500msec") << "500msec" << qint64(500000);
        QTest::newRow("2.5s") << "2.5s" << qint64(2500000);
        QTest::newRow("0.5min") << "0.5min" << 30 * S;
        QTest::newRow("5us") << "5us" << qint64(5);
        QTest::newRow("5usec") << "5usec" << qint64(5);
        QTest::newRow("5 micro sign") << QString::fromUtf8("5\xc2\xb5s") << qint64(5);
        QTest::newRow("5 greek mu") << QString::fromUtf8("5\xce\xbcs") << qint64(5);
        QTest::newRow("1m") << "1m" << 60 * S;
        QTest::newRow("1M") << "1M" << 2629800 * S;
        QTest::newRow("1month") << "1month" << 2629800 * S;
        QTest::newRow("1y") << "1y" << 31557600 * S;
        QTest::newRow("1 year") << "1 year" << 31557600 * S;
        QTest::newRow("90weeks") << "90weeks" << 90 * 604800 * S;
        QTest::newRow("2w") << "2w" << 2 * 604800 * S;
        QTest::newRow("1d") << "1d" << 86400 * S;
        QTest::newRow("3 days") << "3 days" << 3 * 86400 * S;
        QTest::newRow("bare 90") << "90" << 90 * S;
        QTest::newRow("bare 1.5") << "1.5" << qint64(1500000);
        QTest::newRow("spaces around") << "  1min  30s  " << 90 * S;
        QTest::newRow("space before unit") << "5 min" << 300 * S;
        QTest::newRow("many parts")
            << "1d 2h 3min 4s 5ms 6us" << (86400 + 7200 + 180 + 4) * S + 5000 + 6;
        QTest::newRow("seconds word") << "10seconds" << 10 * S;
        QTest::newRow("second word") << "1second" << 1 * S;
        QTest::newRow("sec") << "10sec" << 10 * S;
        QTest::newRow("minute") << "1minute" << 60 * S;
        QTest::newRow("minutes") << "2minutes" << 120 * S;

        QTest::newRow("infinity") << "infinity" << qint64(-1);
        QTest::newRow("empty") << "" << qint64(-1);
        QTest::newRow("blank") << "   " << qint64(-1);
        QTest::newRow("zero") << "0" << qint64(-1);
        QTest::newRow("zero s") << "0s" << qint64(-1);
        QTest::newRow("unknown unit") << "5parsecs" << qint64(-1);
        QTest::newRow("unit only") << "s" << qint64(-1);
        QTest::newRow("garbage") << "abc" << qint64(-1);
        QTest::newRow("negative") << "-5s" << qint64(-1);
        QTest::newRow("trailing junk") << "5s!" << qint64(-1);
        QTest::newRow("uppercase S") << "5S" << qint64(-1);
        QTest::newRow("MIN uppercase") << "5MIN" << qint64(-1);
        QTest::newRow("lone dot") << ".s" << qint64(-1);
        QTest::newRow("overflow") << "99999999999999999999y" << qint64(-1);
        QTest::newRow("overflow sum") << "300000y" << qint64(-1);
    }
    void parse()
    {
        QFETCH(QString, text);
        QFETCH(qint64, expected);
        const std::optional<qint64> got = parseSystemdTimespanUs(text);
        if (expected < 0) {
            QVERIFY2(!got.has_value(), qPrintable(QString::number(got.value_or(0))));
        } else {
            QVERIFY(got.has_value());
            QCOMPARE(*got, expected);
        }
    }

    void timeoutStopLine()
    {
        const QString show = QStringLiteral("Id=sluiced.service\nTimeoutStartUSec=1min 30s\n"
                                            "TimeoutStopUSec=2min 5s\nRestart=on-failure\n");
        QCOMPARE(parseTimeoutStopUSec(show).value_or(-1), 125 * S);
        QCOMPARE(parseTimeoutStopUSec(u"TimeoutStopUSec=90s").value_or(-1), 90 * S);
        QVERIFY(!parseTimeoutStopUSec(u"TimeoutStopUSec=infinity\n").has_value());
        QVERIFY(!parseTimeoutStopUSec(u"TimeoutStartUSec=90s\n").has_value());
        QVERIFY(!parseTimeoutStopUSec(u"").has_value());
        QCOMPARE(parseTimeoutStopUSec(u"a=b\r\nTimeoutStopUSec=1min\r\n").value_or(-1), 60 * S);
    }
};

QTEST_GUILESS_MAIN(TestTimespan)
#include "tst_timespan.moc"
