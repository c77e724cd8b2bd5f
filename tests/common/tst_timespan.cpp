#include "sluice/timespan.h"

#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>

#include <limits>
#include <vector>

using namespace sluice;

namespace {
constexpr qint64 S = 1000000;
constexpr quint64 US = 1000000;
constexpr quint64 Infinity = std::numeric_limits<quint64>::max();
constexpr quint64 Refused = 0xdeadULL << 48; // marker, not a value any row expects

struct GrammarRow
{
    const char *name;
    QString text;
    quint64 usec; // what `systemd-analyze timespan` says; Refused when it refuses
};

// Checked against systemd 252's `systemd-analyze timespan` (the differential test does it
// again wherever the binary exists).
std::vector<GrammarRow> grammarRows()
{
    const QString mu = QString::fromUtf8("\xce\xbcs");
    const QString micro = QString::fromUtf8("\xc2\xb5s");
    return {
        // plain values and every unit
        {"90s", "90s", 90 * US},
        {"bare number is seconds", "90", 90 * US},
        {"usec", "5usec", 5},
        {"us", "5us", 5},
        {"greek mu", "5" + mu, 5},
        {"micro sign", "5" + micro, 5},
        {"msec", "500msec", 500000},
        {"ms", "500ms", 500000},
        {"seconds", "10seconds", 10 * US},
        {"second", "1second", US},
        {"sec", "10sec", 10 * US},
        {"minutes", "2minutes", 120 * US},
        {"minute", "1minute", 60 * US},
        {"min", "3min", 180 * US},
        {"m is minutes", "1m", 60 * US},
        {"hours", "2hours", 7200 * US},
        {"hour", "1hour", 3600 * US},
        {"hr", "1hr", 3600 * US},
        {"h", "1h", 3600 * US},
        {"days", "3days", 3 * 86400 * US},
        {"day", "1day", 86400 * US},
        {"d", "1d", 86400 * US},
        {"weeks", "90weeks", 90 * 604800 * US},
        {"week", "1week", 604800 * US},
        {"w", "2w", 2 * 604800 * US},
        {"months", "2months", 2 * 2629800 * US},
        {"month", "1month", 2629800 * US},
        {"M is months", "1M", 2629800 * US},
        {"years", "2years", 2 * 31557600 * US},
        {"year", "1year", 31557600 * US},
        {"y", "1y", 31557600 * US},
        {"leading zero", "01s", US},
        // several parts, with and without spaces
        {"1min 30s", "1min 30s", 90 * US},
        {"1min30s", "1min30s", 90 * US},
        {"1m30s", "1m30s", 90 * US},
        {"unit then bare number", "1min30", 90 * US},
        {"bare number then unit", "30 1min", 90 * US},
        {"bare numbers add up", "1 2 3", 6 * US},
        {"1m 2", "1m 2", 62 * US},
        {"5sec5", "5sec5", 10 * US},
        {"5m5", "5m5", 305 * US},
        {"1minute30", "1minute30", 90 * US},
        {"1ms5us", "1ms5us", 1005},
        {"many parts", "1d 2h 3min 4s 5ms 6us", 93784005006ULL},
        // spaces
        {"space before unit", "5 min", 300 * US},
        {"space before ms", "2.5 ms", 2500},
        {"spaces around", "  1min  30s  ", 90 * US},
        {"tab before unit", "5\ts", 5 * US},
        {"tabs around", "\t5s\t", 5 * US},
        {"trailing newline", "5\n", 5 * US},
        {"trailing CRLF", "5\r\n", 5 * US},
        {"leading vertical tab (strtoll)", "\v5s", 5 * US},
        {"leading form feed (strtoll)", "\f5", 5 * US},
        {"trailing vertical tab", "5s\v", Refused},
        {"vertical tab before a dot", "\v.5", Refused},
        {"no-break space before unit", QString::fromUtf8("5\xc2\xa0s"), Refused},
        // signs
        {"plus", "+1s", US},
        {"space then plus", " +1s", US},
        {"plus in a later part", "1s +1s", 2 * US},
        {"plus glued to a part", "1s+1s", 2 * US},
        {"plus with fraction", "+1.5s", 1500000},
        {"plus zero", "+0", 0},
        {"vertical tab plus", "\v+5", 5 * US},
        {"vertical tab minus zero (strtoll)", "\v-0", 0},
        {"plus then dot", "+.5", Refused},
        {"plus space", "+ 1s", Refused},
        {"double plus", "++1s", Refused},
        {"plus minus", "+-1", Refused},
        {"lone plus", "+", Refused},
        {"minus", "-1s", Refused},
        {"minus zero", "-0", Refused},
        {"minus in a later part", "1s-1s", Refused},
        {"minus after a space", "1s -1s", Refused},
        {"minus zero after a space", "1 -0", Refused},
        // fractions
        {"2.5s", "2.5s", 2500000},
        {"bare 1.5", "1.5", 1500000},
        {"0.5min", "0.5min", 30 * US},
        {"0.5h", "0.5h", 1800 * US},
        {"1.5d", "1.5d", 129600 * US},
        {"2.25d", "2.25d", 194400 * US},
        {"1.7w", "1.7w", 1028160 * US},
        {"0.5M", "0.5M", 1314900 * US},
        {"0.3y", "0.3y", 9467280 * US},
        {"dot first", ".5s", 500000},
        {"bare dot first", ".5", 500000},
        {"space then dot part", "1 .5s", 1500000},
        {"dot part after a unit", "1s.5", 1500000},
        {"dot part after a fraction and unit", "1.5s.5", 2 * US},
        {"dot part after a space", "1.5 .5", 2 * US},
        {"one microsecond", "0.000001s", 1},
        {"below a microsecond", "0.0000001s", 0},
        {"fraction of us truncated", "1.999999999us", 1},
        {"0.001ms", "0.001ms", 1},
        {"seventh digit of a minute", "1.0000001min", 60000006},
        {"digits truncated one by one", "0.1234567891min", 7407402},
        {"month digits truncated", "1.123456789123M", 2954466664025ULL},
        {"many hour digits", "0.999999999999h", 3599999991ULL},
        {"dot without digits", "5.", Refused},
        {"dot then unit", "5.s", Refused},
        {"dot then space", "3. 1", Refused},
        {"dot then plus", "3.+1", Refused},
        {"dot then minus", "0.-0", Refused},
        {"lone dot", ".", Refused},
        {"dot unit", ".s", Refused},
        {"space dot unit", "5 .s", Refused},
        {"two dots", "1.5.5s", Refused},
        {"12.34.56", "12.34.56", Refused},
        {"spaced dot", "5 . 5s", Refused},
        {"comma", "1,5s", Refused},
        {"exponent", "1e3", Refused},
        {"exponent with unit", "1.5e3s", Refused},
        {"dangling e", "1.5e", Refused},
        {"hex", "0x10", Refused},
        // zero and infinity
        {"zero", "0", 0},
        {"zero s", "0s", 0},
        {"infinity", "infinity", Infinity},
        {"space infinity", " infinity", Infinity},
        {"infinity space", "infinity ", Infinity},
        {"infinity tab newline", "infinity\t\n", Infinity},
        {"plus infinity", "+infinity", Refused},
        {"infinityx", "infinityx", Refused},
        {"infinity 5", "infinity 5", Refused},
        {"1 infinity", "1 infinity", Refused},
        // units that are not
        {"uppercase S", "5S", Refused},
        {"MIN uppercase", "5MIN", Refused},
        {"unit twice", "1ss", Refused},
        {"mo", "1mo", Refused},
        {"yr", "1yr", Refused},
        {"ns", "1ns", Refused},
        {"nsec", "1nsec", Refused},
        {"mins", "5mins", Refused},
        {"secx", "1secx", Refused},
        {"unknown unit", "5parsecs", Refused},
        {"unknown word after space", "1 x", Refused},
        {"unit twice with spaces", "5 s s", Refused},
        {"unit only", "s", Refused},
        {"garbage", "abc", Refused},
        {"trailing junk", "5s!", Refused},
        {"empty", "", Refused},
        {"one space", " ", Refused},
        {"blank", "   ", Refused},
        // range
        {"INT64_MAX us", "9223372036854775807us", 9223372036854775807ULL},
        {"over INT64_MAX but under 2^64", "300000y", 300000ULL * 31557600 * US},
        {"2^63 us (strtoll overflow)", "9223372036854775808us", Refused},
        {"2^64-1 us", "18446744073709551615us", Refused},
        {"product overflows", "584542y", Refused},
        {"huge number", "99999999999999999999y", Refused},
    };
}

// What parseSystemdTimespanUs() makes of systemd's answer.
qint64 wrapped(quint64 usec)
{
    if (usec == Refused || usec == 0 || usec > quint64(std::numeric_limits<qint64>::max()))
        return -1;
    return qint64(usec);
}

QString describe(quint64 usec)
{
    return usec == Refused ? QStringLiteral("refused") : QString::number(usec);
}
} // namespace

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

    void grammar_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<quint64>("expected");
        for (const GrammarRow &r : grammarRows())
            QTest::newRow(r.name) << r.text << r.usec;
    }
    void grammar()
    {
        QFETCH(QString, text);
        QFETCH(quint64, expected);
        quint64 got = 0;
        const bool ok = parseSystemdTimespanExact(text, &got);
        QCOMPARE(ok ? describe(got) : describe(Refused), describe(expected));
        QCOMPARE(parseSystemdTimespanUs(text).value_or(-1), wrapped(expected));
    }

    // The same table through the real `systemd-analyze timespan`, where it exists.
    void differentialWithSystemd()
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
        if (tool.isEmpty())
            QSKIP("systemd-analyze not found (Debian: apt-get install systemd); the table above "
                  "still checks the grammar");
        static const QRegularExpression valueLine(QStringLiteral("^\\s*\\S*s:\\s*(\\d+)\\s*$"),
                                                  QRegularExpression::MultilineOption);
        QStringList mismatches;
        for (const GrammarRow &r : grammarRows()) {
            QProcess p;
            p.start(tool, {QStringLiteral("timespan"), QStringLiteral("--"), r.text});
            QVERIFY2(p.waitForFinished(10000), qPrintable(p.errorString()));
            quint64 systemd = Refused;
            if (p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0) {
                const QRegularExpressionMatch m =
                    valueLine.match(QString::fromUtf8(p.readAllStandardOutput()));
                QVERIFY2(m.hasMatch(), r.name);
                systemd = m.captured(1).toULongLong();
            }
            quint64 ours = 0;
            if (!parseSystemdTimespanExact(r.text, &ours))
                ours = Refused;
            if (systemd != ours || systemd != r.usec)
                mismatches << QStringLiteral("%1 (%2): systemd %3, ours %4, table %5")
                                  .arg(QLatin1String(r.name), r.text, describe(systemd),
                                       describe(ours), describe(r.usec));
        }
        QVERIFY2(mismatches.isEmpty(), qPrintable(mismatches.join(QLatin1String("; "))));
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
