#pragma once
#include <QByteArray>
#include <QJsonObject>
#include <QtGlobal>

namespace sluice {

// docs/reference.md §10 framing: a 4-byte big-endian length N, then N bytes of a UTF-8 JSON object.
namespace Framing {
inline constexpr quint32 MaxClientFrame = 1u << 20;  // client -> service
inline constexpr quint32 MaxServerFrame = 16u << 20; // service -> client
QByteArray encode(const QJsonObject &object);
} // namespace Framing

// Incremental decoder: feed bytes split anywhere (one at a time too). After an error it
// stays in error and discards input; the caller replies bad_frame and closes. It never holds
// more than one frame's worth of unparsed bytes beyond what the caller fed it.
class FrameDecoder
{
public:
    enum class Error { None, ZeroLength, TooLong, NotJson, NotObject };
    enum class Result { Frame, NeedMore, Failed };

    explicit FrameDecoder(quint32 maxFrame = Framing::MaxClientFrame);

    void feed(const QByteArray &bytes);
    // Frame: *out holds the next object. NeedMore: wait for bytes. Failed: see error().
    Result next(QJsonObject *out);

    Error error() const { return m_error; }
    QString errorString() const;
    bool hasPartialFrame() const { return bufferedBytes() > 0; } // for the stall timeout
    qsizetype bufferedBytes() const { return m_buffer.size() - m_offset; }

private:
    void fail(Error error);

    quint32 m_maxFrame;
    QByteArray m_buffer;
    qsizetype m_offset = 0; // start of the unparsed bytes: frames are consumed without memmove
    Error m_error = Error::None;
};

} // namespace sluice
