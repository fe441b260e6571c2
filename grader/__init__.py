"""dnn-grader: exercises and an autograder for the deep-learning course assignments."""

__version__ = "0.1.0"
