#pragma once
#include <QString>

namespace sluice::gui {

// The login item that starts sluice-tray (docs/reference.md §13):
// Linux/BSD: $XDG_CONFIG_HOME/autostart/sluice-tray.desktop (with panel-wait hints for
// GNOME/KDE/LXQt); macOS: ~/Library/LaunchAgents/io.sluice.tray.plist; Windows:
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run, value "SluiceTray".
namespace Autostart {
QString location(); // the file (or registry value) written
// executable: absolute path of sluice-tray; home: passed as --home.
bool install(const QString &executable, const QString &home, QString *message);
bool remove(QString *message);
QString desktopEntry(const QString &executable, const QString &home); // Linux file content
} // namespace Autostart

} // namespace sluice::gui
