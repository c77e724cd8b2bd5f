#include "sluice/ipcframing.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QtEndian>

namespace sluice {

namespace {
// QJsonDocument rejects a top-level scalar ("42", "\"x\""); that is still JSON, just not an
// object. Only called on the error path.
bool isJsonScalar(const QByteArray &body)
{
    QJsonParseError e;
    const QJsonDocument d = QJsonDocument::fromJson('[' + body + ']', &e);
    return e.error == QJsonParseError::NoError && d.array().size() == 1;
}
} // namespace

QByteArray Framing::encode(const QJsonObject &object)
{
    const QByteArray body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    QByteArray out(4, Qt::Uninitialized);
    qToBigEndian<quint32>(quint32(body.size()), out.data());
    out.append(body);
    return out;
}

FrameDecoder::FrameDecoder(quint32 maxFrame)
    : m_maxFrame(maxFrame)
{}

void FrameDecoder::feed(const QByteArray &bytes)
{
    if (m_error != Error::None)
        return;         // failed for good: drop input
    if (m_offset > 0) { // drop consumed frames once per feed, not once per frame
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }
    m_buffer.append(bytes);
}

FrameDecoder::Result FrameDecoder::next(QJsonObject *out)
{
    if (m_error != Error::None)
        return Result::Failed;
    const qsizetype available = m_buffer.size() - m_offset;
    if (available < 4)
        return Result::NeedMore;
    const quint32 length = qFromBigEndian<quint32>(m_buffer.constData() + m_offset);
    // Judge the header before the body arrives, so an oversize claim is never buffered.
    if (length == 0 || length > m_maxFrame) {
        fail(length == 0 ? Error::ZeroLength : Error::TooLong);
        return Result::Failed;
    }
    if (quint64(available) < 4 + quint64(length))
        return Result::NeedMore;
    const QByteArray body = m_buffer.mid(m_offset + 4, length);
    m_offset += 4 + qsizetype(length);
    if (m_offset == m_buffer.size()) {
        m_buffer.clear();
        m_offset = 0;
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        fail(isJsonScalar(body) ? Error::NotObject : Error::NotJson);
        return Result::Failed;
    }
    if (!doc.isObject()) {
        fail(Error::NotObject);
        return Result::Failed;
    }
    if (out)
        *out = doc.object();
    return Result::Frame;
}

void FrameDecoder::fail(Error error)
{
    m_error = error;
    m_buffer.clear();
    m_buffer.squeeze();
    m_offset = 0;
}

QString FrameDecoder::errorString() const
{
    switch (m_error) {
    case Error::None:
        return {};
    case Error::ZeroLength:
        return QStringLiteral("zero-length frame");
    case Error::TooLong:
        return QStringLiteral("frame longer than %1 bytes").arg(m_maxFrame);
    case Error::NotJson:
        return QStringLiteral("frame body is not JSON");
    case Error::NotObject:
        return QStringLiteral("frame body is not a JSON object");
    }
    return {};
}

} // namespace sluice
