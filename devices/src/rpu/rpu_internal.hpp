#pragma once
// Random-stream layout shared by the rpu-step sources (see rpu_step.hpp).
#include <cstddef>
#include <cstdint>
#include <xbarsim/core/error.hpp>
#include <xbarsim/core/random.hpp>
#include <xbarsim/devices/device_state.hpp>

namespace xbarsim::rpu_detail {

inline constexpr std::uint32_t kPurposeD2d = rng_purpose("rpu.d2d");
inline constexpr std::uint32_t kPurposeFault = rng_purpose("rpu.fault");
inline constexpr std::uint32_t kPurposeCorrupt = rng_purpose("rpu.corrupt");
inline constexpr std::uint32_t kPurposeC2c = rng_purpose("rpu.c2c");
inline constexpr std::uint32_t kPurposeWriteNoise = rng_purpose("rpu.write_noise");
inline constexpr std::uint32_t kPurposeSetNoise = rng_purpose("rpu.set_noise");
inline constexpr std::uint32_t kPurposeDiffusion = rng_purpose("rpu.diffusion");
inline constexpr std::uint32_t kPurposeRelaxNoise = rng_purpose("rpu.relax_write_noise");

/// Key of a per-step stream: the step's lower 32 bits go into the counter (StreamId.c),
/// its upper bits (e.g. write_verify's steps above 2^40) into the seed.
inline RngKey step_key(std::uint64_t seed, std::uint32_t purpose, std::uint64_t step) {
  const std::uint64_t hi = step >> 32;
  return RngKey(hi == 0 ? seed : derive_seed(seed, hi), purpose);
}

inline StreamId step_stream(std::uint32_t tile, std::size_t col, std::uint64_t step) {
  return {tile, static_cast<std::uint32_t>(col), static_cast<std::uint32_t>(step)};
}

// Per-coincidence noise (and write noise) comes in tiles of kTile x kTile cells, so a
// call on a few rows still draws its numbers in long, vectorisable runs: the stream
// (tile, column / kTile, step) holds, for the k-th coincidence of a cell at (row, col),
//   element k * Rpad * kTile + (row / kTile) kTile^2 + (col % kTile) kTile + row % kTile
// with Rpad the row count rounded up to whole tiles. The layout depends on the cell
// only, never on how rows are split into calls.
inline constexpr std::size_t kTile = 16;

inline std::size_t padded_rows(std::size_t rows) { return (rows + kTile - 1) / kTile * kTile; }

/// Floats of one column group's tiles over `rows` (whole tiles).
inline std::size_t tile_stream_size(RowRange rows) {
  return (padded_rows(rows.end) - rows.begin / kTile * kTile) * kTile;
}

/// Offset in a tile_normals buffer of (row, column within the group); t0 = first tile.
inline std::size_t tile_offset(std::size_t row, std::size_t col_in_group, std::size_t t0) {
  return (row / kTile - t0) * kTile * kTile + col_in_group * kTile + row % kTile;
}

/// Stream elements must fit the 2^34 of one Philox counter range.
inline void check_stream_room(int kmax, std::size_t rows) {
  if (static_cast<double>(kmax) * static_cast<double>(padded_rows(rows)) * kTile >= 17179869184.0)
    throw InternalError("rpu-step: pulse count x rows exceeds the random stream of a column group (2^34 numbers)");
}

/// The normals of coincidence k for column group `group` and the tiles covering `rows`.
inline void tile_normals(float* z, const RngKey& key, std::uint32_t tile, std::size_t group, std::uint64_t step, int k,
                         std::size_t rows_total, RowRange rows) {
  const std::size_t t0 = rows.begin / kTile;
  normal_block(z, tile_stream_size(rows), key, step_stream(tile, group, step),
               static_cast<std::uint64_t>(k) * padded_rows(rows_total) * kTile + t0 * kTile * kTile);
}

}  // namespace xbarsim::rpu_detail
