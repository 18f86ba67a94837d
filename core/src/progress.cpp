#include <xbarsim/core/error.hpp>
#include <xbarsim/core/progress.hpp>

namespace xbarsim {
void CancellationToken::check() const {
  if (cancelled()) throw Cancelled();
}
}  // namespace xbarsim
