#pragma once
#include "core/notifier.h"

#include <QDialog>
#include <QHash>

class QCheckBox;
class QLineEdit;

namespace sluice::gui {

class TraySettings;

// The tray's small settings dialog: which notifications to show, whether the tray starts at
// login (the login item of docs/reference.md §13), and the HOME it watches when started without
// --home or $SLUICE_HOME. OK stores them (QSettings) and writes or removes the login item.
class SettingsDialog : public QDialog
{
    Q_OBJECT
public:
    SettingsDialog(TraySettings *settings, const QString &currentHome, QWidget *parent = nullptr);

    QCheckBox *notificationBox(Notifier::Kind kind) const { return m_kinds.value(kind); }
    QCheckBox *autostartBox() const { return m_autostart; }
    QLineEdit *homeEdit() const { return m_home; }

    // Applies what the dialog shows; a message for the panel (empty when nothing to say).
    QString apply();

private:
    TraySettings *m_settings;
    QString m_currentHome;
    QHash<Notifier::Kind, QCheckBox *> m_kinds;
    QCheckBox *m_autostart;
    QLineEdit *m_home;
    bool m_autostartWas;
};

} // namespace sluice::gui
