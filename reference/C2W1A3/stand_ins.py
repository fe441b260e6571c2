"""Deliberately faulty stand-ins for C2W1A3 (Gradient Checking).

Some cases of gradient_check send one of these blocks instead of the reference cell of the
function it calls (spec.toml: ``stand_ins = ["name"]``). Only code that really calls
backward_propagation and forward_propagation gets the difference such a faulty pass produces;
hard-coding ``grad = x`` or ``J_plus = theta_plus * x`` does not.
"""


# STAND-IN: backward_propagation_mixes_up_x_and_theta

def backward_propagation(x, theta):
    """A faulty backward pass: returns the parameter instead of the input."""
    dtheta = theta
    return dtheta


# STAND-IN: forward_propagation_doubles_the_product

def forward_propagation(x, theta):
    """A faulty forward pass: counts the product twice."""
    J = 2 * theta * x
    return J
