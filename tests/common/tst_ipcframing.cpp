#include "sluice/ipcframing.h"

#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace sluice;

namespace {

QByteArray header(quint32 n)
{
    QByteArray h(4, Qt::Uninitialized);
    qToBigEndian<quint32>(n, h.data());
    return h;
}

QByteArray rawFrame(const QByteArray &body)
{
    return header(quint32(body.size())) + body;
}

QList<QJsonObject> drain(FrameDecoder &d, FrameDecoder::Result *last = nullptr)
{
    QList<QJsonObject> out;
    for (;;) {
        QJsonObject o;
        const FrameDecoder::Result r = d.next(&o);
        if (r != FrameDecoder::Result::Frame) {
            if (last)
                *last = r;
            return out;
        }
        out.append(o);
    }
}

QList<QJsonObject> sampleObjects()
{
    QList<QJsonObject> objs;
    objs.append(QJsonObject{{"v", 1}, {"id", 1}, {"cmd", "hello"}, {"client", "test"}});
    objs.append(QJsonObject{{"v", 1}, {"event", "status"}, {"state", "running"}});
    objs.append(
        QJsonObject{{"text", QString(5000, QLatin1Char('x'))},
                    {"unicode", QString::fromUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")}});
    objs.append(QJsonObject{{"list", QJsonArray{1, 2, 3}}, {"nested", QJsonObject{{"a", true}}}});
    return objs;
}

} // namespace

class TestFraming : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void encodeHasBigEndianLength()
    {
        const QJsonObject o{{"v", 1}};
        const QByteArray f = Framing::encode(o);
        QCOMPARE(qFromBigEndian<quint32>(f.constData()), quint32(f.size() - 4));
        QCOMPARE(f.mid(4), QByteArray(R"({"v":1})"));
    }

    void roundTripWholeStream()
    {
        QByteArray stream;
        for (const QJsonObject &o : sampleObjects())
            stream += Framing::encode(o);
        FrameDecoder d;
        d.feed(stream); // several frames in one chunk
        FrameDecoder::Result last;
        QCOMPARE(drain(d, &last), sampleObjects());
        QCOMPARE(last, FrameDecoder::Result::NeedMore);
        QVERIFY(!d.hasPartialFrame());
        QCOMPARE(d.bufferedBytes(), 0);
    }

    void byteByByte()
    {
        QByteArray stream;
        for (const QJsonObject &o : sampleObjects())
            stream += Framing::encode(o);
        FrameDecoder d;
        QList<QJsonObject> got;
        for (char c : stream) {
            d.feed(QByteArray(1, c));
            got += drain(d);
        }
        QCOMPARE(got, sampleObjects());
        QCOMPARE(d.error(), FrameDecoder::Error::None);
    }

    void randomSplits()
    {
        QByteArray stream;
        QList<QJsonObject> expected;
        for (int round = 0; round < 5; ++round) {
            for (const QJsonObject &o : sampleObjects()) {
                stream += Framing::encode(o);
                expected.append(o);
            }
        }
        for (quint32 seed = 1; seed <= 200; ++seed) {
            QRandomGenerator rng(seed);
            FrameDecoder d;
            QList<QJsonObject> got;
            qsizetype pos = 0;
            while (pos < stream.size()) {
                const qsizetype n = qMin<qsizetype>(stream.size() - pos, rng.bounded(1, 700));
                d.feed(stream.mid(pos, n));
                pos += n;
                got += drain(d);
            }
            QVERIFY2(got == expected, qPrintable(QStringLiteral("seed %1").arg(seed)));
        }
    }

    void partialFrameIsVisible()
    {
        FrameDecoder d;
        const QByteArray f = Framing::encode(QJsonObject{{"a", 1}});
        d.feed(f.left(6));
        QCOMPARE(drain(d).size(), 0);
        QVERIFY(d.hasPartialFrame());
        d.feed(f.mid(6));
        QCOMPARE(drain(d).size(), 1);
        QVERIFY(!d.hasPartialFrame());
    }

    void zeroLength()
    {
        FrameDecoder d;
        d.feed(header(0));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::ZeroLength);
        QVERIFY(!d.errorString().isEmpty());
    }

    void oversizeDetectedFromHeaderAlone()
    {
        FrameDecoder d; // client limit: 1 MiB
        d.feed(header(Framing::MaxClientFrame + 1));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::TooLong);
        // Stays failed and drops further input: nothing is buffered.
        d.feed(QByteArray(1 << 16, 'x'));
        QCOMPARE(d.bufferedBytes(), 0);
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::TooLong);
    }

    void oversizeHeaderSplit()
    {
        FrameDecoder d;
        const QByteArray h = header(0xFFFFFFFFu);
        for (int i = 0; i < 3; ++i) {
            d.feed(h.mid(i, 1));
            QCOMPARE(d.next(nullptr), FrameDecoder::Result::NeedMore);
        }
        d.feed(h.mid(3, 1));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::TooLong);
    }

    void maxSizesAccepted()
    {
        // Exactly 1 MiB is allowed from a client; more only from the service.
        QByteArray body = "{\"p\":\"" + QByteArray(int(Framing::MaxClientFrame) - 8, 'a') + "\"}";
        QCOMPARE(body.size(), qsizetype(Framing::MaxClientFrame));
        FrameDecoder client;
        client.feed(rawFrame(body));
        QJsonObject o;
        QCOMPARE(client.next(&o), FrameDecoder::Result::Frame);
        QCOMPARE(o.value("p").toString().size(), qsizetype(Framing::MaxClientFrame) - 8);

        body = "{\"p\":\"" + QByteArray(2 << 20, 'a') + "\"}";
        FrameDecoder client2;
        client2.feed(rawFrame(body));
        QCOMPARE(client2.next(&o), FrameDecoder::Result::Failed);
        QCOMPARE(client2.error(), FrameDecoder::Error::TooLong);
        FrameDecoder server(Framing::MaxServerFrame);
        server.feed(rawFrame(body));
        QCOMPARE(server.next(&o), FrameDecoder::Result::Frame);
    }

    void garbage()
    {
        FrameDecoder d;
        d.feed(rawFrame("this is not json"));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::NotJson);
    }

    void truncatedJsonBody()
    {
        FrameDecoder d;
        d.feed(rawFrame(R"({"v":1,"id":)"));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::NotJson);
    }

    void nonObject_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("array") << QByteArray("[1,2,3]");
        QTest::newRow("number") << QByteArray("42");
        QTest::newRow("string") << QByteArray("\"hello\"");
        QTest::newRow("null") << QByteArray("null");
    }
    void nonObject()
    {
        QFETCH(QByteArray, body);
        FrameDecoder d;
        d.feed(rawFrame(body));
        QCOMPARE(d.next(nullptr), FrameDecoder::Result::Failed);
        QCOMPARE(d.error(), FrameDecoder::Error::NotObject);
    }

    void goodFramesBeforeBadOneAreDelivered()
    {
        FrameDecoder d;
        d.feed(Framing::encode(QJsonObject{{"a", 1}}) + rawFrame("[]") +
               Framing::encode(QJsonObject{{"b", 2}}));
        QJsonObject o;
        QCOMPARE(d.next(&o), FrameDecoder::Result::Frame);
        QCOMPARE(o.value("a").toInt(), 1);
        QCOMPARE(d.next(&o), FrameDecoder::Result::Failed);
        QCOMPARE(d.next(&o), FrameDecoder::Result::Failed); // stays failed
        QCOMPARE(d.bufferedBytes(), 0);
    }

    void randomGarbageNeverCrashes()
    {
        QRandomGenerator rng(42);
        for (int round = 0; round < 500; ++round) {
            FrameDecoder d;
            QByteArray junk(rng.bounded(1, 64), Qt::Uninitialized);
            for (char &c : junk)
                c = char(rng.bounded(256));
            // Small length so the body is judged, not just the header.
            d.feed(header(quint32(junk.size())) + junk);
            QJsonObject o;
            const FrameDecoder::Result r = d.next(&o);
            QVERIFY(r == FrameDecoder::Result::Frame || r == FrameDecoder::Result::Failed);
        }
    }
};

QTEST_GUILESS_MAIN(TestFraming)
#include "tst_ipcframing.moc"
