// Reading /summary of a sweep result back as text (`xbarsim results summary`).
#include <algorithm>
#include <charconv>
#include <cstring>
#include <xbarsim/core/error.hpp>

#include "store_hdf5.hpp"

namespace xbarsim::sweep {
namespace {

std::string number_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest form that reads back exactly
  return std::string(buf, r.ptr);
}

}  // namespace

SummaryTable read_summary(const std::filesystem::path& out) {
  detail::Hdf5Lock lock;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(out, ec)) throw IoError(out.string(), "no such file");
  if (!detail::sweep_result_spec(out)) throw IoError(out.string(), "not an xbarsim sweep result");
  try {
    H5::H5File file(out.string(), H5F_ACC_RDONLY);
    H5::DataSet ds = file.openDataSet("summary");
    const H5::CompType file_type = ds.getCompType();
    const int members = file_type.getNmembers();
    // The in-memory row: int64, double or fixed-length string per field, packed.
    struct Member {
      H5T_class_t cls;
      std::size_t offset, size;
    };
    std::vector<Member> layout;
    SummaryTable table;
    std::size_t row_size = 0;
    for (int k = 0; k < members; ++k) {
      const auto u = static_cast<unsigned>(k);
      const H5T_class_t cls = file_type.getMemberClass(u);
      std::size_t size = 8;
      if (cls == H5T_STRING)
        size = file_type.getMemberStrType(u).getSize();
      else if (cls != H5T_INTEGER && cls != H5T_FLOAT)
        throw IoError(out.string(), "summary field '" + file_type.getMemberName(u) + "' has an unsupported type");
      table.columns.push_back(file_type.getMemberName(u));
      layout.push_back({cls, row_size, size});
      row_size += size;
    }
    H5::CompType mem(std::max<std::size_t>(row_size, 1));
    for (int k = 0; k < members; ++k) {
      const auto u = static_cast<unsigned>(k);
      const Member& m = layout[u];
      if (m.cls == H5T_INTEGER)
        mem.insertMember(table.columns[u], m.offset, H5::PredType::NATIVE_INT64);
      else if (m.cls == H5T_FLOAT)
        mem.insertMember(table.columns[u], m.offset, H5::PredType::NATIVE_DOUBLE);
      else
        mem.insertMember(table.columns[u], m.offset, file_type.getMemberStrType(u));  // same size and cset
    }
    const auto n = static_cast<std::size_t>(ds.getSpace().getSimpleExtentNpoints());
    std::vector<char> buf(row_size * n);
    if (n) ds.read(buf.data(), mem);
    for (std::size_t r = 0; r < n; ++r) {
      const char* row = buf.data() + r * row_size;
      std::vector<std::string> cells;
      for (const Member& m : layout) {
        if (m.cls == H5T_INTEGER) {
          std::int64_t v = 0;
          std::memcpy(&v, row + m.offset, sizeof v);
          cells.push_back(std::to_string(v));
        } else if (m.cls == H5T_FLOAT) {
          double v = 0;
          std::memcpy(&v, row + m.offset, sizeof v);
          cells.push_back(number_text(v));
        } else {
          const char* p = row + m.offset;
          cells.emplace_back(p, strnlen(p, m.size));
        }
      }
      table.rows.push_back(std::move(cells));
    }
    if (ds.attrExists("units")) table.units = detail::get_strings(ds, "units");
    table.units.resize(table.columns.size());
    return table;
  } catch (const H5::Exception& e) {
    throw IoError(out.string(), "cannot read /summary (" + e.getDetailMsg() + ")");
  }
}

namespace {
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}
}  // namespace

std::string summary_csv(const SummaryTable& table) {
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t k = 0; k < cells.size(); ++k) {
      if (k) out += ',';
      out += csv_field(cells[k]);
    }
    out += '\n';
  };
  line(table.columns);
  for (const auto& r : table.rows) line(r);
  return out;
}

std::string summary_text(const SummaryTable& table) {
  std::vector<std::string> units;
  for (const auto& u : table.units) units.push_back(u.empty() ? "" : "[" + u + "]");
  units.resize(table.columns.size());
  std::vector<std::size_t> width(table.columns.size(), 0);
  const auto measure = [&](const std::vector<std::string>& cells) {
    for (std::size_t k = 0; k < cells.size() && k < width.size(); ++k) width[k] = std::max(width[k], cells[k].size());
  };
  measure(table.columns);
  measure(units);
  for (const auto& r : table.rows) measure(r);
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (std::size_t k = 0; k < width.size(); ++k) {
      const std::string& c = k < cells.size() ? cells[k] : std::string();
      if (k) l += "  ";
      l += c;
      l.append(width[k] - c.size(), ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + '\n';
  };
  line(table.columns);
  line(units);
  for (const auto& r : table.rows) line(r);
  return out;
}

}  // namespace xbarsim::sweep
