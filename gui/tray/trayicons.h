#pragma once
#include <QIcon>
#include <QString>

namespace sluice::gui {

// The five state icons (resources/icons/sluice-<key>.svg), rendered with QSvgRenderer into
// pixmaps at the usual tray sizes and at 2x for HiDPI, so they look right even where Qt's SVG
// icon engine plugin is missing. Cached per key.
namespace TrayIcons {
QIcon icon(const QString &key);
QStringList keys(); // running, draining, stopping, stopped, unreachable
} // namespace TrayIcons

} // namespace sluice::gui
