// The table from a document's articles to the model (scenarios/sources/<package>.toml):
// which articles carry money, a costed service or a target, and for each whether it is
// costed (by which measures), a target (what it drives) or not costed (and why). Read
// with the TableReader conventions: every error is a ScenarioError naming file, line,
// column and field, and unknown keys are rejected. scenarios/README.md describes the format.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sim/input/error.h"

namespace cradle {

//! What the model does with an article.
enum class ArticleStatus { costed, target, not_costed };

//! Why an article is not costed.
enum class ReasonKind {
  none,                 //!< costed or a target
  no_fiscal_cost,       //!< no public money (regulation, employers, guidance)
  no_amount_no_basis,   //!< money, but neither an amount nor a basis to assume one
  outside_model,        //!< money outside what the model projects (capital, elderly, other funds)
  encoded_elsewhere,    //!< costed by a measure of another document's package
  awaiting_capability,  //!< needs an engine capability not there yet (the reason names it)
};

std::string_view status_name(ArticleStatus s);
std::string_view reason_kind_name(ReasonKind k);

//! The [document] header: the document as a finance officer cites it.
struct SourceDocument {
  std::string package;      //!< the package id that encodes it
  std::string title;        //!< official Chinese title
  std::string number;       //!< official document number (文号); empty when the text gives none
  std::string number_note;  //!< why there is no number, or where the number comes from
  std::string cite;         //!< how measures' `source` texts cite it: the number, or issuer and title
  std::string issuer;
  std::string date;         //!< issue date YYYY-MM-DD, empty if the text states none
  std::string valid_until;  //!< last day in force YYYY-MM-DD, empty if the text sets no term
  std::string term_note;    //!< how the text states its term
  std::string file;         //!< the seed file name
};

//! One [[article]] row.
struct SourceArticle {
  std::string article;  //!< as the document numbers it: "三", "(四)", "9", "annex 2"
  std::string summary;
  ArticleStatus status = ArticleStatus::not_costed;
  std::vector<std::string> measures;  //!< costed: the measure ids
  std::string drives;                 //!< target: what it drives in the model
  ReasonKind reason_kind = ReasonKind::none;
  std::string reason;  //!< not costed: why
  int line = 0;        //!< of the row in its file, for messages
};

//! A whole sources file.
struct SourcesTable {
  std::filesystem::path file;
  SourceDocument document;
  std::vector<SourceArticle> articles;

  //! The row of an article, or null.
  const SourceArticle* find(const std::string& article) const;
};

//! Reads and checks a sources file. Throws ScenarioError.
SourcesTable read_sources(const std::filesystem::path& file);

//! The articles of the document cited as `cite` that a measure's source text names: each
//! "<cite> art. A" or "<cite> annex A" (as "annex A"), and the further articles chained to
//! one by ", art. B" or " and art. B". An article runs to the first space, comma, colon or
//! semicolon; closing parentheses it does not open are not part of it.
std::vector<std::string> cited_articles(const std::string& source, const std::string& cite);

}  // namespace cradle
