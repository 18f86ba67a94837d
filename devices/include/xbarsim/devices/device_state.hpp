#pragma once
// Structure-of-arrays state of one tile's devices: one float matrix (rows x cols,
// column-major, Armadillo) per per-cell quantity. No per-cell objects.
#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xbarsim {

/// Describes one per-cell quantity of a device model's state.
struct StateField {
  std::string name;         // "conductance_S", "gap_m", "dw_up", ...
  std::string unit;         // SI unit or "1"
  std::string description;  // one line, for HDF5 attributes and the GUI
};

/// Half-open block of rows [begin, end) that one call works on.
struct RowRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
};

class DeviceState {
 public:
  DeviceState() = default;
  DeviceState(std::size_t rows, std::size_t cols, std::vector<StateField> layout, std::uint64_t seed,
              std::uint32_t tile_id);

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }
  std::uint64_t seed() const { return seed_; }
  std::uint32_t tile_id() const { return tile_id_; }
  RowRange all_rows() const { return {0, rows_}; }

  const std::vector<StateField>& layout() const { return layout_; }
  arma::fmat& field(std::size_t index) { return fields_.at(index); }
  const arma::fmat& field(std::size_t index) const { return fields_.at(index); }
  /// Looks a field up by name; throws InternalError if the model has no such field.
  arma::fmat& field(const std::string& name);
  const arma::fmat& field(const std::string& name) const;

  /// Number of pulse updates applied so far (a logical clock for random streams).
  std::uint64_t pulse_step = 0;
  /// Time since programming, seconds (the tile's clock for drift and relaxation).
  double time_s = 0.0;

 private:
  std::size_t rows_ = 0, cols_ = 0;
  std::vector<StateField> layout_;
  std::vector<arma::fmat> fields_;
  std::uint64_t seed_ = 0;
  std::uint32_t tile_id_ = 0;
};

}  // namespace xbarsim
