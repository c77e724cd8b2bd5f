#pragma once
#include <QByteArray>
#include <QString>

namespace sluice {

// HOME/control.token (docs/reference.md §2, §11): the HTTP bearer token.
namespace ControlToken {
// Returns the token in `path`, creating it first when missing or empty: 256 bits from
// QRandomGenerator::system() as 64 hex characters, written atomically with mode 0600.
// An existing token is kept (its mode is tightened to 0600 if needed). Empty on failure.
QByteArray loadOrCreate(const QString &path, QString *error = nullptr, bool *created = nullptr);
// The trimmed content, empty when missing.
QByteArray read(const QString &path);
QByteArray generate();
// Compares in time that depends only on the length of `expected`, never on where they differ.
bool constantTimeEquals(const QByteArray &expected, const QByteArray &given);
} // namespace ControlToken

} // namespace sluice
