"""Exercises: a scenario published as a marked alert through the real channels, its injects,
its report (who received, who acknowledged, how fast) and the posture evidence it leaves.

Above the publication layer: an exercise's alert is created and changed through
`tocsin.publication.service`, like any other, with `Alert.exercise` set, which every
channel shows and every feed leaves out.
"""
