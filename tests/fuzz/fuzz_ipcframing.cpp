// The IPC frame decoder (common/ipcframing): length-prefixed JSON objects fed in pieces.
// Input: one control byte (low nibble: piece size, high nibble: frame limit), then the stream.
#include "fuzzsupport.h"

#include "sluice/ipcframing.h"

#include <QJsonObject>

using namespace sluice;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    fuzz::quietQt();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = fuzz::chunkSize(data[0]);
    const unsigned limitSelector = data[0] >> 4;
    // 0: the real client limit; else small limits, so oversize claims are reachable.
    const quint32 maxFrame =
        limitSelector == 0 ? Framing::MaxClientFrame : 1u << (limitSelector + 3);
    const QByteArray stream = fuzz::bytes(data + 1, size - 1);

    FrameDecoder decoder(maxFrame);
    qsizetype fed = 0;
    bool failed = false;
    while (fed < stream.size() && !failed) {
        const QByteArray part = stream.mid(fed, piece);
        fed += part.size();
        decoder.feed(part);
        for (;;) {
            QJsonObject frame;
            const FrameDecoder::Result r = decoder.next(&frame);
            if (r == FrameDecoder::Result::NeedMore)
                break;
            if (r == FrameDecoder::Result::Failed) {
                failed = true;
                break;
            }
            // What was decoded encodes and decodes to the same object.
            FrameDecoder again(Framing::MaxServerFrame);
            again.feed(Framing::encode(frame));
            QJsonObject back;
            FUZZ_CHECK(again.next(&back) == FrameDecoder::Result::Frame);
            FUZZ_CHECK(back == frame);
            FUZZ_CHECK(again.next(&back) == FrameDecoder::Result::NeedMore);
        }
        FUZZ_CHECK(decoder.bufferedBytes() >= 0 && decoder.bufferedBytes() <= fed);
        // Once the complete frames are taken, less than one frame (header + limit) is held.
        FUZZ_CHECK(decoder.bufferedBytes() < 4 + qsizetype(maxFrame));
    }
    if (failed) {
        // Failed for good: input is dropped, nothing is held, the reason is named.
        FUZZ_CHECK(decoder.error() != FrameDecoder::Error::None);
        FUZZ_CHECK(!decoder.errorString().isEmpty());
        decoder.feed(stream.left(64));
        FUZZ_CHECK(decoder.next(nullptr) == FrameDecoder::Result::Failed);
        FUZZ_CHECK(decoder.bufferedBytes() == 0);
    } else {
        FUZZ_CHECK(decoder.error() == FrameDecoder::Error::None);
        FUZZ_CHECK(decoder.hasPartialFrame() == (decoder.bufferedBytes() > 0));
    }
    return 0;
}
