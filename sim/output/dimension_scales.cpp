#include "output/dimension_scales.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ccgrisk {
namespace {

using h5::Dataset;
using h5::Dims;
using h5::Group;

// A dimension whose coordinate is a dataset of labels: the rows (first axis)
// or the columns (last axis) of a group's datasets. The labels dataset
// itself is labelled by the dimension. A new group is one line here.
enum class Axis { First, Last };
struct LabelledDimension {
  std::string_view group;
  std::string_view dimension;
  std::string_view labels;
  Axis axis;
  std::string_view only = {};  // if set, only datasets whose name contains it
};
constexpr std::array<LabelledDimension, 26> kLabelledDimensions = {{
    {"/ccg", "ccg", "/ccg/code", Axis::First},
    {"/pooled", "ccg", "/ccg/code", Axis::First},
    // A run of several years: the first year in the red, or never (only
    // there: in a run of 8 years it has as many entries as the quantiles).
    {"/ccg", "first_red_year", "/ccg/first_red_year", Axis::Last, "first_red_year"},
    {"/pooled", "first_red_year", "/ccg/first_red_year", Axis::Last, "first_red_year"},
    {"/region", "region", "/region/code", Axis::First},
    {"/area_team", "area_team", "/area_team/code", Axis::First},
    {"/pool", "pool", "/pool/code", Axis::First},
    {"/hub", "hub", "/hub/name", Axis::First},
    {"/targets", "target", "/targets/name", Axis::First},
    {"/attribution", "ccg", "/ccg/code", Axis::First},
    {"/attribution", "component", "/attribution/component", Axis::Last},
    {"/sweep", "value", "/sweep/values", Axis::First},
    {"/sweep", "ccg", "/ccg/code", Axis::Last},
    {"/sweep", "region", "/sweep/region_name", Axis::Last},
    {"/breakeven", "ccg", "/ccg/code", Axis::First},
    {"/breakeven", "grid_value", "/breakeven/grid_values", Axis::First},
    {"/breakeven", "ccg", "/ccg/code", Axis::Last},
    {"/reverse_stress", "direction", "/reverse_stress/direction", Axis::First},
    {"/reverse_stress", "ccg", "/ccg/code", Axis::First},
    {"/reverse_stress", "driver", "/reverse_stress/driver", Axis::Last},
    {"/reverse_stress", "ccg", "/ccg/code", Axis::Last},
    // Its one axis; before `sample`, which has as many entries in a run of
    // 4 samples.
    {"/uncertainty", "statistic", "/uncertainty/statistic", Axis::First, "expected_red_summary"},
    {"/uncertainty", "ccg", "/ccg/code", Axis::First},
    {"/uncertainty", "sample", "/uncertainty/sample", Axis::First},
    {"/uncertainty", "ccg", "/ccg/code", Axis::Last},
    {"/uncertainty", "parameter", "/uncertainty/parameter", Axis::Last},
}};

enum class Coordinate { Levels, Index };  // the dataset's `levels` attribute, or 0..size-1

// Names the last axis of datasets whose name contains both parts.
struct AxisRule {
  std::string_view part1, part2;
  std::string_view dimension;
  Coordinate coordinate;
  std::string_view units;
  std::string_view description;
};
constexpr std::array<AxisRule, 6> kLastAxisRules = {{
    {"count_red", "quantiles", "count_quantile", Coordinate::Levels, "probability",
     "levels of the quantiles of the number of CCGs in the red"},
    {"count", "pmf", "count", Coordinate::Index, "count", "k, the number of CCGs in the red"},
    {"quantiles", "", "quantile", Coordinate::Levels, "probability", "quantile levels"},
    {"surplus_hist_counts", "", "bin", Coordinate::Index, "1", "histogram bin index"},
    {"surplus_hist_edges", "", "edge", Coordinate::Index, "1", "histogram bin edge index"},
    {"tipping_", "", "tipping_rank", Coordinate::Index, "1", "rank of the CCGs that tip first"},
}};

const AxisRule* last_axis_rule(std::string_view dataset) {
  for (const AxisRule& rule : kLastAxisRules)
    if (dataset.find(rule.part1) != std::string_view::npos &&
        dataset.find(rule.part2) != std::string_view::npos)
      return &rule;
  return nullptr;
}

std::string scale_description(std::string_view what, std::string_view dimension) {
  return std::string(what).append(": coordinate of dimension ").append(dimension);
}

// A labelled dimension of the group being labelled, with its labels (text,
// or numbers such as a sweep's parameter values).
struct Labels {
  const LabelledDimension* spec;
  std::vector<std::string> text;
  std::vector<double> numbers;
  std::uint64_t size() const { return text.empty() ? numbers.size() : text.size(); }
};

Labels read_labels(const h5::File& file, const LabelledDimension& d) {
  if (file.dataset(d.labels).kind() == Dataset::Kind::String)
    return {&d, h5::read_dataset<std::string>(file, d.labels).values, {}};
  return {&d, {}, h5::read_dataset<double>(file, d.labels).values};
}

// Labels the datasets of one group, creating its scales on first use.
class GroupLabeller {
 public:
  GroupLabeller(const h5::File& file, const Group& group) : group_(group) {
    for (const LabelledDimension& d : kLabelledDimensions)
      if (d.group == group.path() && file.exists(d.labels)) labels_.push_back(read_labels(file, d));
  }

  void label(const std::string& name) {
    const Dataset data = group_.dataset(name);
    if (h5::is_dimension_scale(data)) return;
    // A per-year dataset of a run of several years: its leading year axis
    // is labelled already, the others are labelled as in a one-year file.
    const unsigned lead = h5::has_attribute(data, "leading_axis") ? 1 : 0;
    const Dims all = data.dims();
    const Dims dims(all.begin() + lead, all.end());
    for (unsigned axis = 0; axis < dims.size(); ++axis) {
      const Dataset& scale = scale_for(data, name, dims, axis);
      if (scale.path() == data.path()) return;  // a labels dataset named as its dimension
      if (h5::dimension_scale_count(data, axis + lead) == 0)
        h5::attach_dimension_scale(data, scale, axis + lead);
    }
  }

 private:
  // Labels datasets first, then first-axis labels, last-axis labels, name
  // rules, and last the axis's own index dimension.
  const Dataset& scale_for(const Dataset& data, const std::string& name, const Dims& dims,
                           unsigned axis) {
    const std::uint64_t size = dims[axis];
    const bool last = axis + 1 == dims.size();
    for (const Labels& l : labels_)
      if (dims.size() == 1 && data.path() == l.spec->labels)
        if (const Dataset* s = labelled_scale(l)) return *s;
    for (const Axis side : {Axis::First, Axis::Last})
      for (const Labels& l : labels_)
        if (l.spec->axis == side && (side == Axis::First ? axis == 0 : last) && size == l.size() &&
            name.find(l.spec->only) != std::string::npos)
          if (const Dataset* s = labelled_scale(l)) return *s;
    if (last)
      if (const AxisRule* rule = last_axis_rule(name))
        if (const Dataset* s = rule_scale(*rule, data, size)) return *s;
    return own_scale(name, axis, size);
  }

  const Dataset& own_scale(const std::string& name, unsigned axis, std::uint64_t size) {
    std::string own = name + "_dim" + std::to_string(axis);
    while (group_.exists(own) && !usable(own, size))
      own += "_";
    if (const Dataset* s = existing(own, size)) return *s;
    return add(own, h5::write_dataset(group_, own, index(size), {size}, "1",
                                      scale_description("index", own)));
  }

  const Dataset* labelled_scale(const Labels& l) {
    const std::string dim(l.spec->dimension);
    const std::uint64_t size = l.size();
    if (scales_.count(dim) || group_.exists(dim)) return existing(dim, size);
    const std::string what = std::string("labels (").append(l.spec->labels).append(")");
    if (l.text.empty())
      return &add(dim, h5::write_dataset(group_, dim, l.numbers, {size}, "1",
                                         scale_description(what, dim)));
    return &add(dim,
                h5::write_dataset(group_, dim, l.text, {size}, "1", scale_description(what, dim)));
  }

  const Dataset* rule_scale(const AxisRule& rule, const Dataset& data, std::uint64_t size) {
    const std::string dim(rule.dimension);
    if (scales_.count(dim) || group_.exists(dim)) return existing(dim, size);
    if (rule.coordinate == Coordinate::Levels && h5::has_attribute(data, "levels")) {
      const std::vector<double> levels = h5::read_attribute<double>(data, "levels");
      if (levels.size() == size)
        return &add(dim, h5::write_dataset(group_, dim, levels, {size}, rule.units,
                                           scale_description(rule.description, dim)));
    }
    return &add(dim, h5::write_dataset(group_, dim, index(size), {size}, rule.units,
                                       scale_description(rule.description, dim)));
  }

  // The scale `dim` if it exists (made here, or a 1-D dataset of that name
  // already in the group) with `size` entries; nullptr otherwise.
  const Dataset* existing(const std::string& dim, std::uint64_t size) {
    if (auto it = scales_.find(dim); it != scales_.end())
      return it->second.dims() == Dims{size} ? &it->second : nullptr;
    if (!usable(dim, size)) return nullptr;
    Dataset found = group_.dataset(dim);
    if (!h5::is_dimension_scale(found)) h5::set_dimension_scale(found, dim);
    return &scales_.emplace(dim, std::move(found)).first->second;
  }

  // Whether `name` is a dataset of the group with shape (size).
  bool usable(const std::string& name, std::uint64_t size) const {
    const std::vector<std::string> datasets = h5::list_members(group_).datasets;
    return std::find(datasets.begin(), datasets.end(), name) != datasets.end() &&
           group_.dataset(name).dims() == Dims{size};
  }

  const Dataset& add(const std::string& dim, Dataset scale) {
    h5::set_dimension_scale(scale, dim);
    return scales_.emplace(dim, std::move(scale)).first->second;
  }

  static std::vector<std::int64_t> index(std::uint64_t size) {
    std::vector<std::int64_t> values(size);
    for (std::uint64_t i = 0; i < size; ++i)
      values[i] = static_cast<std::int64_t>(i);
    return values;
  }

  const Group& group_;
  std::vector<Labels> labels_;
  std::map<std::string, Dataset> scales_;
};

void label_group(const h5::File& file, const Group& group) {
  const h5::Members members = h5::list_members(group);
  GroupLabeller labeller(file, group);
  for (const std::string& name : members.datasets)
    labeller.label(name);
  for (const std::string& name : members.groups)
    label_group(file, group.open_group(name));
}

}  // namespace

void add_dimension_scales(const h5::File& file) {
  label_group(file, file);
}

}  // namespace ccgrisk
