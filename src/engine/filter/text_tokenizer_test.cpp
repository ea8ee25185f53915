#include "engine/filter/text_tokenizer.h"

#include <gtest/gtest.h>

#include "engine/filter/filter_matcher.h"

namespace quiver::engine {
namespace {

using Tokens = std::vector<std::string>;

TextIndexParams Params(Value schema) { return TextIndexParams::FromSchema(schema); }

Value Schema(std::vector<std::pair<std::string, Value>> fields) {
  Object o{{"type", Value("text")}};
  for (auto& f : fields) o.push_back(std::move(f));
  return Value(std::move(o));
}

TEST(TextTokenizerTest, WordSplitsAtNonAlphanumericsAndLowercasesUnicode) {
  auto p = Params(Schema({}));
  EXPECT_EQ(TokenizeDocument(p, "hello, world! Привет, мир!"),
            (Tokens{"hello", "world", "привет", "мир"}));
  EXPECT_EQ(TokenizeDocument(p, "Half-Breeds on Venus"), (Tokens{"half", "breeds", "on", "venus"}));
  EXPECT_EQ(TokenizeDocument(p, "In a Good Cause\u2014"), (Tokens{"in", "a", "good", "cause"}));
  EXPECT_EQ(TokenizeDocument(p, "P\u00c2t\u00e9"), (Tokens{"p\u00e2t\u00e9"}));
}

TEST(TextTokenizerTest, WhitespaceKeepsPunctuationAndCaseWhenAsked) {
  auto p = Params(Schema({{"tokenizer", Value("whitespace")}, {"lowercase", Value(false)}}));
  EXPECT_EQ(TokenizeDocument(p, " Robot AL-76  Goes\tAstray "),
            (Tokens{"Robot", "AL-76", "Goes", "Astray"}));
}

TEST(TextTokenizerTest, StopwordsAndTokenLengths) {
  auto p = Params(Schema({{"stopwords", Value("english")}, {"min_token_len", Value(3)}}));
  EXPECT_EQ(TokenizeQuery(p, "Robot of the Star, ok"), (Tokens{"robot", "star"}));
  Array custom{Value("Robot")};
  auto q = Params(Schema(
      {{"stopwords", Value(Object{{"custom", Value(custom)}})}, {"max_token_len", Value(4)}}));
  EXPECT_EQ(TokenizeDocument(q, "robot star of dreams"), (Tokens{"star", "of"}));
}

TEST(TextTokenizerTest, PrefixIndexesEveryPrefixAndQueriesWholeWords) {
  auto p = Params(Schema({{"tokenizer", Value("prefix")}, {"max_token_len", Value(4)}}));
  EXPECT_EQ(TokenizeDocument(p, "hello, мир!"),
            (Tokens{"h", "he", "hel", "hell", "м", "ми", "мир"}));
  EXPECT_EQ(TokenizeQuery(p, "hello, мир!"), (Tokens{"hell", "мир"}));
  auto q = Params(Schema({{"tokenizer", Value("prefix")}, {"stopwords", Value("english")}}));
  EXPECT_EQ(TokenizeQuery(q, "the"), (Tokens{"the"}));  // stopwords kept in prefix queries
}

class View : public PointView {
 public:
  explicit View(Value payload) : payload_(std::move(payload)) {}
  const PointId& id() const override { return id_; }
  const Value& payload() const override { return payload_; }
  bool HasVector(std::string_view) const override { return true; }

 private:
  PointId id_ = PointId::Num(1);
  Value payload_;
};

Filter TextFilter(MatchText::Kind kind, std::string text) {
  FieldCondition fc;
  fc.key = "title";
  fc.cond = MatchText{kind, std::move(text)};
  Filter f;
  f.must.push_back(Condition{fc});
  return f;
}

TEST(TextTokenizerTest, MatcherUsesTheTextIndexOnlyWhereThereIsOne) {
  View robot(Value(Object{{"title", Value("Little Lost Robot")}}));
  View robots(Value(Object{{"title", Value("The Robots of Dawn")}}));
  TextIndexes text;
  text["title"] =
      std::make_shared<const TextIndexParams>(Params(Schema({{"stopwords", Value("english")}})));
  auto text_robot = TextFilter(MatchText::Kind::kText, "ROBOT");
  // Tokens: whole words, lowercased; without the index: a case-sensitive substring.
  EXPECT_TRUE(MatchesFilter(text_robot, robot, &text));
  EXPECT_FALSE(MatchesFilter(text_robot, robots, &text));
  EXPECT_FALSE(MatchesFilter(text_robot, robot, nullptr));
  EXPECT_TRUE(MatchesFilter(TextFilter(MatchText::Kind::kText, "Robot"), robots, nullptr));
  // text = all tokens, text_any = any, stopwords ignored on both sides.
  EXPECT_FALSE(MatchesFilter(TextFilter(MatchText::Kind::kText, "lost robots"), robot, &text));
  EXPECT_TRUE(MatchesFilter(TextFilter(MatchText::Kind::kTextAny, "lost robots"), robot, &text));
  EXPECT_TRUE(MatchesFilter(TextFilter(MatchText::Kind::kText, "the lost robot"), robot, &text));
  EXPECT_FALSE(MatchesFilter(TextFilter(MatchText::Kind::kTextAny, "the of"), robots, &text));
  // phrase: adjacent, in order.
  EXPECT_TRUE(MatchesFilter(TextFilter(MatchText::Kind::kPhrase, "lost robot"), robot, &text));
  EXPECT_FALSE(MatchesFilter(TextFilter(MatchText::Kind::kPhrase, "robot lost"), robot, &text));
  // Arrays: the strings together are the document.
  View both(Value(Object{{"title", Value(Array{Value("lost"), Value("robot")})}}));
  EXPECT_TRUE(MatchesFilter(TextFilter(MatchText::Kind::kText, "robot lost"), both, &text));
}

}  // namespace
}  // namespace quiver::engine
