#include "sim/input/sources_reader.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sim/input/toml_reader.h"

namespace cradle {

std::string_view status_name(ArticleStatus s) {
  switch (s) {
    case ArticleStatus::costed: return "costed";
    case ArticleStatus::target: return "target";
    case ArticleStatus::not_costed: return "not_costed";
  }
  return "?";
}

namespace {

constexpr ReasonKind REASON_KINDS[] = {ReasonKind::no_fiscal_cost, ReasonKind::no_amount_no_basis,
                                       ReasonKind::outside_model, ReasonKind::encoded_elsewhere,
                                       ReasonKind::awaiting_capability};

}  // namespace

std::string_view reason_kind_name(ReasonKind k) {
  switch (k) {
    case ReasonKind::none: return "";
    case ReasonKind::no_fiscal_cost: return "no_fiscal_cost";
    case ReasonKind::no_amount_no_basis: return "no_amount_no_basis";
    case ReasonKind::outside_model: return "outside_model";
    case ReasonKind::encoded_elsewhere: return "encoded_elsewhere";
    case ReasonKind::awaiting_capability: return "awaiting_capability";
  }
  return "?";
}

const SourceArticle* SourcesTable::find(const std::string& article) const {
  const auto it = std::find_if(articles.begin(), articles.end(), [&](const SourceArticle& a) { return a.article == article; });
  return it == articles.end() ? nullptr : &*it;
}

namespace {

//! A date value as YYYY-MM-DD, or "" when the key is absent.
std::string read_date(TableReader& t, const std::string& key) {
  const toml::node* n = t.optional(key);
  if (!n) return "";
  if (!n->is_date()) {
    t.fail_at(n->source(), key, std::string("expected a date (YYYY-MM-DD), found ") + TableReader::type_name(*n));
  }
  const toml::date d = *n->value<toml::date>();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d.year), static_cast<int>(d.month),
                static_cast<int>(d.day));
  return buf;
}

SourceDocument read_document(TableReader& d) {
  SourceDocument doc;
  doc.package = d.string("package");
  check_id(d, "package", doc.package);
  doc.title = d.string("title");
  doc.number = d.string_or("number", "");
  doc.number_note = d.string_or("number_note", "");
  if (doc.number.empty() && doc.number_note.empty()) {
    d.fail("number", "missing: give the document number, or say in number_note why the text gives none");
  }
  doc.cite = d.string_or("cite", doc.number);
  if (doc.cite.empty()) d.fail("cite", "missing: without a number, say how measures cite the document");
  doc.issuer = d.string("issuer");
  doc.date = read_date(d, "date");
  doc.valid_until = read_date(d, "valid_until");
  doc.term_note = d.string_or("term_note", "");
  doc.file = d.string("file");
  d.finish();
  return doc;
}

std::vector<std::string> read_ids(TableReader& a, const std::string& key) {
  const toml::node& n = a.require(key);
  if (!n.is_array() || n.as_array()->empty()) a.fail_at(n.source(), key, "expected a list of measure ids");
  std::vector<std::string> ids;
  for (const auto& item : *n.as_array()) ids.push_back(a.as_string(item, key));
  return ids;
}

ReasonKind read_reason_kind(TableReader& a) {
  const std::string text = a.string("reason_kind");
  for (ReasonKind k : REASON_KINDS) {
    if (text == reason_kind_name(k)) return k;
  }
  a.fail("reason_kind",
         "unknown reason kind \"" + text +
             "\" (no_fiscal_cost, no_amount_no_basis, outside_model, encoded_elsewhere, awaiting_capability)");
}

//! One [[article]]: the keys its status requires, and none that another status needs.
SourceArticle read_article(TableReader& a, int line) {
  SourceArticle out;
  out.line = line;
  out.article = a.string("article");
  out.summary = a.string("summary");
  const std::string status = a.string("status");
  const auto forbid = [&](const char* key) {
    if (a.has(key)) a.fail(key, "not for an article with status \"" + status + "\"");
  };
  if (status == "costed") {
    out.status = ArticleStatus::costed;
    out.measures = read_ids(a, "measures");
    forbid("drives");
    forbid("reason");
    forbid("reason_kind");
  } else if (status == "target") {
    out.status = ArticleStatus::target;
    out.drives = a.string("drives");
    if (a.has("measures")) out.measures = read_ids(a, "measures");  // measures the target feeds
    forbid("reason");
    forbid("reason_kind");
  } else if (status == "not_costed") {
    out.status = ArticleStatus::not_costed;
    out.reason_kind = read_reason_kind(a);
    out.reason = a.string("reason");
    forbid("measures");
    forbid("drives");
  } else {
    a.fail("status", "expected \"costed\", \"target\" or \"not_costed\", found \"" + status + "\"");
  }
  a.finish();
  return out;
}

}  // namespace

SourcesTable read_sources(const std::filesystem::path& file) {
  ParsedFile f = parse_file(file);
  const std::string shown = shown_path(file);
  TableReader root(f.table, shown, "");
  SourcesTable out;
  out.file = file;
  {
    TableReader d = root.child(root.subtable("document"), "document");
    out.document = read_document(d);
  }
  const toml::node& an = root.require("article");
  if (!an.is_array_of_tables()) root.fail("article", "expected [[article]] tables");
  std::set<std::string> seen;
  std::size_t i = 0;
  for (const auto& item : *an.as_array()) {
    TableReader a(*item.as_table(), shown, "article[" + std::to_string(i++) + "]");
    SourceArticle row = read_article(a, static_cast<int>(item.source().begin.line));
    if (!seen.insert(row.article + "\n" + row.summary).second) a.fail("summary", "the same row appears twice");
    out.articles.push_back(std::move(row));
  }
  root.finish();
  return out;
}

namespace {

//! The article token at `pos`: to the first space, comma, colon or semicolon, less the
//! closing parentheses it does not open.
std::string article_token(const std::string& s, std::size_t pos) {
  const std::size_t end = s.find_first_of(" ,;:", pos);
  std::string token = s.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
  while (!token.empty() && token.back() == ')' &&
         std::count(token.begin(), token.end(), ')') > std::count(token.begin(), token.end(), '(')) {
    token.pop_back();
  }
  return token;
}

}  // namespace

std::vector<std::string> cited_articles(const std::string& source, const std::string& cite) {
  std::vector<std::string> out;
  if (cite.empty()) return out;
  for (std::size_t at = source.find(cite); at != std::string::npos; at = source.find(cite, at + 1)) {
    std::size_t pos = at + cite.size();
    const std::string rest = source.substr(pos);
    std::string prefix;
    if (rest.rfind(" art. ", 0) == 0) {
      pos += 6;
    } else if (rest.rfind(" annex ", 0) == 0) {
      pos += 7;
      prefix = "annex ";
    } else {
      continue;
    }
    std::string token = article_token(source, pos);
    if (token.empty()) continue;
    out.push_back(prefix + token);
    // Further articles of the same document: ", art. B" or " and art. B".
    for (pos += token.size();;) {
      const std::string tail = source.substr(pos);
      std::size_t skip = 0;
      if (tail.rfind(", art. ", 0) == 0) skip = 7;
      if (tail.rfind(" and art. ", 0) == 0) skip = 10;
      if (skip == 0) break;
      token = article_token(source, pos + skip);
      if (token.empty()) break;
      out.push_back(token);
      pos += skip + token.size();
    }
  }
  return out;
}

}  // namespace cradle
