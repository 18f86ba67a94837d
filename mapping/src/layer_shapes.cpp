// Layer shapes from networks and SCALE-Sim topology files (see layer_shapes.hpp).
#include <fstream>
#include <sstream>
#include <xbarsim/core/error.hpp>
#include <xbarsim/mapping/layer_shapes.hpp>
#include <xbarsim/nn/layers.hpp>

namespace xbarsim {

std::vector<LayerShape> weighted_layer_shapes(const Network& net) {
  const std::vector<Shape> s = net.shapes(1);
  std::vector<LayerShape> out;
  for (std::size_t k = 1; k < net.num_nodes(); ++k) {
    const Layer& l = net.layer(k);
    const Shape in = s[net.inputs_of(k).at(0)], o = s[k];
    LayerShape ls;
    ls.name = l.name();
    if (const auto* c = dynamic_cast<const Conv2D*>(&l)) {
      const Conv2DSpec& sp = c->spec();
      ls.ifmap_h = in.h + sp.pad_top + sp.pad_bottom;
      ls.ifmap_w = in.w + sp.pad_left + sp.pad_right;
      ls.filter_h = sp.kernel_h;
      ls.filter_w = sp.kernel_w;
      ls.channels = sp.in_channels;
      ls.num_filters = sp.out_channels;
      ls.stride = sp.stride_h;
      ls.groups = sp.groups;
      ls.ofmap_h = o.h;
      ls.ofmap_w = o.w;
    } else if (const auto* d = dynamic_cast<const Dense*>(&l)) {
      ls.dense = true;
      ls.channels = d->in_features();
      ls.num_filters = d->out_features();
    } else {
      continue;
    }
    out.push_back(ls);
  }
  return out;
}

std::vector<LayerShape> read_scalesim_topology(const std::filesystem::path& csv) {
  std::ifstream f(csv);
  if (!f) throw IoError(csv.string(), "cannot be read");
  std::vector<LayerShape> out;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(f, line)) {
    ++line_no;
    if (line_no == 1 || line.find_first_not_of(" \t\r,") == std::string::npos) continue;  // header, blank
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    while (!cells.empty() && cells.back().find_first_not_of(" \t\r") == std::string::npos) cells.pop_back();
    const std::string where = csv.string() + ":" + std::to_string(line_no);
    if (cells.size() != 8)
      throw IoError(where,
                    "expected 8 columns (Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                    "Channels, Num Filter, Strides), found " +
                        std::to_string(cells.size()));
    std::size_t v[7];
    for (int k = 0; k < 7; ++k) {
      try {
        std::size_t pos = 0;
        const long long x = std::stoll(cells[k + 1], &pos);
        if (x <= 0 || cells[k + 1].find_first_not_of(" \t\r", pos) != std::string::npos)
          throw std::invalid_argument("");
        v[k] = static_cast<std::size_t>(x);
      } catch (const std::exception&) {
        throw IoError(where,
                      "column " + std::to_string(k + 2) + " ('" + cells[k + 1] + "') must be a positive integer");
      }
    }
    LayerShape ls;
    ls.name = cells[0];
    ls.ifmap_h = v[0];
    ls.ifmap_w = v[1];
    ls.filter_h = v[2];
    ls.filter_w = v[3];
    ls.channels = v[4];
    ls.num_filters = v[5];
    ls.stride = v[6];
    if (ls.filter_h > ls.ifmap_h || ls.filter_w > ls.ifmap_w)
      throw IoError(where, "the filter is larger than the input map");
    // SCALE-Sim v2: ofmap = ceil((ifmap - filter + stride) / stride).
    ls.ofmap_h = (ls.ifmap_h - ls.filter_h + 2 * ls.stride - 1) / ls.stride;
    ls.ofmap_w = (ls.ifmap_w - ls.filter_w + 2 * ls.stride - 1) / ls.stride;
    ls.dense = ls.ifmap_h == 1 && ls.ifmap_w == 1;
    out.push_back(ls);
  }
  return out;
}

}  // namespace xbarsim
