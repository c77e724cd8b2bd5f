#include "core/traysettings.h"

#include <QSettings>

namespace sluice::gui {

static QString notificationKey(Notifier::Kind kind)
{
    return QStringLiteral("notifications/") + Notifier::kindKey(kind);
}

TraySettings::TraySettings()
    : m_settings(
          std::make_unique<QSettings>(QStringLiteral("sluice"), QStringLiteral("sluice-tray")))
{}

TraySettings::TraySettings(const QString &file)
    : m_settings(std::make_unique<QSettings>(file, QSettings::IniFormat))
{}

TraySettings::~TraySettings() = default;

bool TraySettings::notificationEnabled(Notifier::Kind kind) const
{
    return m_settings->value(notificationKey(kind), true).toBool();
}

void TraySettings::setNotificationEnabled(Notifier::Kind kind, bool on)
{
    m_settings->setValue(notificationKey(kind), on);
}

QString TraySettings::home() const
{
    return m_settings->value(QStringLiteral("home")).toString();
}

void TraySettings::setHome(const QString &home)
{
    if (home.isEmpty())
        m_settings->remove(QStringLiteral("home"));
    else
        m_settings->setValue(QStringLiteral("home"), home);
}

void TraySettings::sync()
{
    m_settings->sync();
}

} // namespace sluice::gui
