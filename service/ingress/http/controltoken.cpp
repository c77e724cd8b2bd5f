#include "ingress/http/controltoken.h"

#include "ingress/http/httplog.h"

#include <QFile>
#include <QFileDevice>
#include <QRandomGenerator>

#include "sluice/atomicjson.h"

namespace sluice::ControlToken {

QByteArray generate()
{
    quint32 words[8];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex();
}

QByteArray read(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.read(4096).trimmed();
}

QByteArray loadOrCreate(const QString &path, QString *error, bool *created)
{
    if (created)
        *created = false;
    QByteArray token = read(path);
    if (!token.isEmpty()) {
        const auto wanted = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
        QFile f(path);
        const auto perms = f.permissions() &
                           ~(QFileDevice::ReadUser | QFileDevice::WriteUser | QFileDevice::ExeUser);
        if (perms != wanted) {
            qCWarning(lcHttp).noquote() << path << "was not mode 0600; tightening it";
            f.setPermissions(wanted);
        }
        return token;
    }
    token = generate();
    QString why;
    if (!writeFileAtomically(path, token + '\n', &why, FileMode::OwnerOnly)) {
        if (error)
            *error = why;
        return {};
    }
    if (created)
        *created = true;
    return token;
}

bool constantTimeEquals(const QByteArray &expected, const QByteArray &given)
{
    if (expected.isEmpty())
        return false;
    // Walk the whole expected token whatever `given` holds; fold the length difference in.
    unsigned char diff = expected.size() == given.size() ? 0 : 1;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const char g = i < given.size() ? given[i] : '\0';
        diff |= static_cast<unsigned char>(expected[i] ^ g);
    }
    return diff == 0;
}

} // namespace sluice::ControlToken
