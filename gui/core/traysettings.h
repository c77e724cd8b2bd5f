#pragma once
#include "core/notifier.h"

#include <QString>
#include <memory>

class QSettings;

namespace sluice::gui {

// The tray's own preferences, kept with QSettings (Linux: ~/.config/sluice/sluice-tray.conf):
// which notifications to show, and the HOME to use when neither --home nor $SLUICE_HOME names
// one. Every notification kind is on until switched off.
class TraySettings
{
public:
    TraySettings();                             // the user's settings
    explicit TraySettings(const QString &file); // an INI file (tests)
    ~TraySettings();

    bool notificationEnabled(Notifier::Kind kind) const;
    void setNotificationEnabled(Notifier::Kind kind, bool on);
    QString home() const; // empty: the default
    void setHome(const QString &home);
    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

} // namespace sluice::gui
