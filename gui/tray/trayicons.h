#pragma once
#include <QIcon>
#include <QString>

namespace sluice::gui {

// The state icons (resources/icons/sluice-<key>.svg; "starting" is the running one drawn faint),
// rendered with QSvgRenderer into pixmaps at the usual tray sizes and at 2x for HiDPI, so they look
// right even where Qt's SVG icon engine plugin is missing. Cached per key.
namespace TrayIcons {
QIcon icon(const QString &key);
QStringList keys(); // starting, running, draining, stopping, stopped, unreachable
} // namespace TrayIcons

} // namespace sluice::gui
