#include "src/federation/monitor.h"

#include <gtest/gtest.h>

namespace accord::federation {
namespace {}  // namespace
}  // namespace accord::federation
