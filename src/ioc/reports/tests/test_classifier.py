"""The suggested category: trained from the shipped examples, measured on a held-out part."""

import pytest

from ioc.reports.classifier import Evaluation, evaluate, suggest_category


def test_held_out_accuracy_is_the_documented_one():
    # given: the shipped examples, a fifth of their core sentences held out

    # when
    result = evaluate()

    # then
    assert result == Evaluation(train=751, held_out=143, top1=0.671, top3=0.874)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Đèn đường trước nhà tôi tắt mấy hôm nay, buổi tối tối om", "den-chieu-sang"),
        ("mat nuoc ca ngay hom nay", "cap-nuoc"),
        ("Quán karaoke hát đến 2 giờ sáng không ai ngủ được", "tieng-on"),
        ("Cây bàng bị gió bão quật ngã chắn ngang đường", "cay-xanh"),
        ("Dây điện đứt rơi xuống đường rất nguy hiểm", "dien"),
        ("rac chat dong o goc cho may ngay khong ai don", "rac-thai"),
    ],
)
def test_obvious_sentences_get_the_right_category_first(text, category):
    # when
    suggestions = suggest_category(text)

    # then
    assert suggestions[0][0] == category


def test_suggestions_are_three_categories_best_first():
    # when
    suggestions = suggest_category("Ổ gà giữa đường Trần Hưng Đạo, xe máy dễ té")

    # then
    confidences = [confidence for _code, confidence in suggestions]
    assert len(suggestions) == 3
    assert suggestions[0][0] == "o-ga"
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "!!! ???", "ok", None, 42])
def test_text_too_short_or_unusable_gets_no_suggestion(text):
    # when
    suggestions = suggest_category(text)

    # then
    assert suggestions == []


def test_first_suggestion_in_a_process_does_not_wait_for_training(monkeypatch):
    # given: a process whose model is not trained yet
    from ioc.reports import classifier

    monkeypatch.setattr(classifier, "_model", {})
    monkeypatch.setattr(classifier, "_training", [])
    text = "Ổ gà giữa đường Trần Hưng Đạo, xe máy dễ té"

    # when: a web request asks without waiting
    first = classifier.suggest_category(text, wait=False)
    classifier.train_in_background().join()
    later = classifier.suggest_category(text, wait=False)

    # then: nothing the first time, the same suggestions as a waiting caller's afterwards
    assert first == []
    assert later == classifier.suggest_category(text)
    assert later[0][0] == "o-ga"
