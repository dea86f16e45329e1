import pytest

from ioc.core.choices import ChoiceSet
from ioc.core.workflow import IllegalTransition, Workflow


class Light(ChoiceSet):
    CHOICES = [("green", "Go", "success"), ("red", "Stop", "danger")]


def test_choice_set_gives_django_choices_labels_and_colours():
    assert Light.choices() == [("green", "Go"), ("red", "Stop")]
    assert list(Light) == [("green", "Go"), ("red", "Stop")]
    assert Light.values() == ["green", "red"]
    assert Light.label("red") == "Stop"
    assert Light.colour("green") == "success"


def test_choice_set_refuses_an_unknown_value():
    with pytest.raises(KeyError):
        Light.colour("blue")


def test_workflow_allows_only_the_moves_in_its_table():
    workflow = Workflow({"new": {"assigned", "rejected"}, "assigned": {"resolved"}})

    workflow.check("new", "assigned")
    assert workflow.allowed("new") == frozenset({"assigned", "rejected"})
    assert workflow.allowed("resolved") == frozenset()
    with pytest.raises(IllegalTransition, match=r"“new”.*“resolved”"):
        workflow.check("new", "resolved")
